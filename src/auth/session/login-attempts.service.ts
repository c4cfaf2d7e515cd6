import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../../common/errors/too-many-requests.exception.js';
import { AtomicStore } from '../../state/atomic-store.js';
import { AuthMessages } from '../auth.messages.js';

/**
 * Per-account brute-force protection: at most `LOGIN_MAX_FAILURES` failed logins per account in
 * a 15-minute window, then 429 until the window passes, even for the right password. Never a
 * permanent lock, which would let anyone lock anyone out. Each attempt takes a slot atomically
 * before the password is checked, so parallel guesses cannot overrun the limit; a success
 * clears the count.
 */
@Injectable()
export class LoginAttempts {
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: AtomicStore,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.maxFailures = options.auth.loginMaxFailures;
    this.windowMs = options.auth.loginFailureWindow * 1000;
  }

  /**
   * Takes an attempt slot for the account, or throws 429 with `Retry-After`: one atomic
   * increment, which also tells the window's remaining time. A refused attempt counts too, which
   * changes nothing (the window never moves, and the count is past the limit either way).
   */
  async acquire(email: string): Promise<void> {
    const { count, ttlMs } = await this.store.incrementWithTtl(failuresKey(email), this.windowMs);
    if (count > this.maxFailures) {
      throw new TooManyRequestsException(
        AuthMessages.tooManyLoginFailures,
        retryAfterSeconds(ttlMs),
        'login_failures',
      );
    }
  }

  /** A successful login clears the account's failures. */
  async succeeded(email: string): Promise<void> {
    await this.store.delete(failuresKey(email));
  }
}

function failuresKey(email: string): string {
  return `login-failures:${email}`;
}
