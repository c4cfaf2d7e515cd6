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
 * Whose sends and wrong guesses a cap counts: an address, or an account (`{ account: userId }`),
 * for the e-mail change, where cycling through new addresses must not reset the count.
 */
export type LimitSubject = string | { account: string };

/** A send refused by {@link AddressLimits.acquireSends}: which subject, and which of its caps. */
export type SendRefused = Refused & { subject: LimitSubject; cap: 'sends' | 'failures' };

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

  /** Counts a send to `subject`; refused once the window holds the cap. */
  async acquireSend(subject: LimitSubject): Promise<({ granted: true } & AddressSend) | Refused> {
    const taken = await this.take(keys(subject).sends, this.maxSends);
    return taken.granted ? { granted: true, release: taken.giveBack } : taken;
  }

  /**
   * Counts one send against every subject, and checks that each has a wrong guess left (a code
   * sent now could otherwise not be tried): all granted, or none counted.
   */
  async acquireSends(
    subjects: readonly LimitSubject[],
  ): Promise<({ granted: true } & AddressSend) | SendRefused> {
    const taken: AddressSend[] = [];
    const release = async () => {
      for (const send of taken) await send.release();
    };
    for (const subject of subjects) {
      const send = await this.acquireSend(subject);
      if (!send.granted) {
        await release();
        return { ...send, subject, cap: 'sends' };
      }
      taken.push(send);
    }
    for (const subject of subjects) {
      const guesses = await this.checkGuessesLeft(subject);
      if (!guesses.granted) {
        await release();
        return { ...guesses, subject, cap: 'failures' };
      }
    }
    return { granted: true, release };
  }

  /**
   * Refused when the address has no wrong guess left in the window: a code sent now could not
   * be tried.
   */
  async checkGuessesLeft(subject: LimitSubject): Promise<{ granted: true } | Refused> {
    const { count, oldestLeavesInMs } = await this.store.countWindow(
      keys(subject).failures,
      this.windowMs,
    );
    return count >= this.maxFailures
      ? { granted: false, retryAfterMs: oldestLeavesInMs }
      : { granted: true };
  }

  /** Counts a guess for `subject` as wrong until forgiven; refused once the window holds the cap. */
  async acquireGuess(subject: LimitSubject): Promise<({ granted: true } & AddressGuess) | Refused> {
    const taken = await this.take(keys(subject).failures, this.maxFailures);
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

function keys(subject: LimitSubject) {
  const base =
    typeof subject === 'string' ? `registration:${subject}` : `email-change:${subject.account}`;
  return { sends: `${base}:address-sends`, failures: `${base}:address-failures` };
}
