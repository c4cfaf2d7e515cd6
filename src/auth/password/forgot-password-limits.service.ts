import { Injectable } from '@nestjs/common';
import { AtomicStore } from '../../state/atomic-store.js';

const COOLDOWN_MS = 60_000;
const HOUR_MS = 3_600_000;
const PER_HOUR = 5;

/**
 * Per-address limits on reset e-mails (one a minute, five an hour), so the endpoint cannot be
 * used to flood a mailbox. Over the limit the caller sees the usual answer; no e-mail goes out.
 */
@Injectable()
export class ForgotPasswordLimits {
  constructor(private readonly store: AtomicStore) {}

  /** Takes a send for the address; false when over either limit. */
  async tryAcquire(email: string): Promise<boolean> {
    if (!(await this.store.setIfAbsent(`forgot-password:cooldown:${email}`, '1', COOLDOWN_MS))) {
      return false;
    }
    return (await this.store.increment(`forgot-password:hourly:${email}`, HOUR_MS)) <= PER_HOUR;
  }
}
