import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DEFAULT_OTP_ADDRESS_LIMITS, type OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { AtomicStore } from '../state/atomic-store.js';

/** A send the address's cap let through, until it is known to have happened. */
export interface AddressSend {
  /** Gives the slot back: the code was not sent after all. */
  release(): Promise<void>;
}

/** A guess the address's cap let through, counted as wrong until it proves right. */
export interface AddressGuess {
  /** Wrong guesses the address has left in the window should this one be wrong. */
  failuresLeft: number;
  /** When the window frees a slot, for a `Retry-After` once `failuresLeft` reaches 0. */
  retryAfterMs: number;
  /** Takes the guess back from the count: it was right. */
  forgive(): Promise<void>;
}

export type Refused = { granted: false; retryAfterMs: number };

/**
 * The caps per address over a sliding window (`OTP_ADDRESS_WINDOW`): codes sent
 * (`OTP_MAX_SENDS_PER_ADDRESS`) and wrong guesses (`OTP_MAX_FAILURES_PER_ADDRESS`). They belong
 * to the address, not to a registration, so nothing that ends a registration (used-up attempts,
 * expiry, a failed send, registering again) resets them. Each request is counted before it is
 * judged and takes its record back when it is refused or proves harmless, so concurrent
 * requests, on any instance, never get past a cap.
 */
@Injectable()
export class AddressLimits {
  private readonly maxSends: number;
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: AtomicStore,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.maxSends = options.otp.maxSendsPerAddress ?? DEFAULT_OTP_ADDRESS_LIMITS.maxSendsPerAddress;
    this.maxFailures =
      options.otp.maxFailuresPerAddress ?? DEFAULT_OTP_ADDRESS_LIMITS.maxFailuresPerAddress;
    this.windowMs = (options.otp.addressWindow ?? DEFAULT_OTP_ADDRESS_LIMITS.addressWindow) * 1000;
  }

  /** Counts a send to `email`; refused once the window holds the cap. */
  async acquireSend(email: string): Promise<({ granted: true } & AddressSend) | Refused> {
    const taken = await this.take(keys(email).sends, this.maxSends);
    return taken.granted ? { granted: true, release: taken.giveBack } : taken;
  }

  /**
   * Refused when the address has no wrong guess left in the window: a code sent now could not
   * be tried.
   */
  async checkGuessesLeft(email: string): Promise<{ granted: true } | Refused> {
    const { count, oldestLeavesInMs } = await this.store.countWindow(
      keys(email).failures,
      this.windowMs,
    );
    return count >= this.maxFailures
      ? { granted: false, retryAfterMs: oldestLeavesInMs }
      : { granted: true };
  }

  /** Counts a guess for `email` as wrong until forgiven; refused once the window holds the cap. */
  async acquireGuess(email: string): Promise<({ granted: true } & AddressGuess) | Refused> {
    const taken = await this.take(keys(email).failures, this.maxFailures);
    if (!taken.granted) return taken;
    return {
      granted: true,
      failuresLeft: this.maxFailures - taken.count,
      retryAfterMs: taken.retryAfterMs,
      forgive: taken.giveBack,
    };
  }

  /** Adds a record to the log at `key`, and takes it back at once when that makes it over `cap`. */
  private async take(
    key: string,
    cap: number,
  ): Promise<
    { granted: true; count: number; retryAfterMs: number; giveBack: () => Promise<void> } | Refused
  > {
    // 96 random bits name this request's record; a short flat string, as every pending
    // address keeps one per send in memory (a randomUUID() string is a tree of ~20 pieces).
    const record = randomBytes(12).toString('base64url');
    const { count, oldestLeavesInMs } = await this.store.addToWindow(key, record, this.windowMs);
    const giveBack = () => this.store.removeFromWindow(key, record);
    if (count > cap) {
      await giveBack();
      return { granted: false, retryAfterMs: oldestLeavesInMs };
    }
    return { granted: true, count, retryAfterMs: oldestLeavesInMs, giveBack };
  }
}

function keys(email: string) {
  const base = `registration:${email}`;
  return { sends: `${base}:address-sends`, failures: `${base}:address-failures` };
}
