import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { AtomicStore } from '../state/atomic-store.js';

/** A registration waiting for its code. Never holds the password or the code in clear. */
export interface PendingRegistration {
  email: string;
  fullName: string;
  passwordHash: string;
  otpHash: string;
  /**
   * Set when the address already has an account and enumeration protection is on: the code was
   * never sent to anyone, so no guess can succeed.
   */
  existingAccount?: boolean;
}

export type SendSlot =
  | { granted: true }
  | { granted: false; reason: 'cooldown'; retryAfterMs: number }
  | { granted: false; reason: 'send-limit' };

export type GuessSlot =
  | { kind: 'no-registration' }
  | { kind: 'exhausted' }
  | { kind: 'granted'; registration: PendingRegistration; attempt: number };

/**
 * Pending registrations in the {@link AtomicStore}, under four keys per address: the data, the
 * wrong-guess counter, the send counter and the resend cooldown. Limits are enforced by atomic
 * increments and set-if-absent, never by read-then-write, so they hold under concurrency and,
 * with Redis, across instances. Every send gives all four the full lifetime again.
 */
@Injectable()
export class PendingRegistrationStore {
  private readonly ttlMs: number;
  private readonly cooldownMs: number;
  private readonly maxSends: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: AtomicStore,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.ttlMs = options.otp.ttl * 1000;
    this.cooldownMs = options.otp.resendCooldown * 1000;
    this.maxSends = options.otp.maxSends;
    this.maxAttempts = options.otp.maxAttempts;
  }

  async find(email: string): Promise<PendingRegistration | null> {
    const raw = await this.store.get(keys(email).data);
    return raw === null ? null : (JSON.parse(raw) as PendingRegistration);
  }

  /**
   * Claims the right to send a code now: refused while the cooldown runs or once the send limit
   * is reached. Counters left by an expired registration are cleared first.
   */
  async acquireSendSlot(email: string): Promise<SendSlot> {
    const k = keys(email);
    if (this.cooldownMs > 0 && !(await this.store.setIfAbsent(k.cooldown, '1', this.cooldownMs))) {
      return { granted: false, reason: 'cooldown', retryAfterMs: await this.store.ttl(k.cooldown) };
    }
    if ((await this.store.get(k.data)) === null) await this.store.delete(k.attempts, k.sends);
    const sends = await this.store.increment(k.sends, this.ttlMs);
    if (sends > this.maxSends) return { granted: false, reason: 'send-limit' };
    return { granted: true };
  }

  /** Stores (or replaces) the registration; the guess and send counts carry over. */
  async save(registration: PendingRegistration): Promise<void> {
    const k = keys(registration.email);
    await this.store.set(k.data, JSON.stringify(registration), this.ttlMs);
    await this.store.expire(k.attempts, this.ttlMs);
    await this.store.expire(k.sends, this.ttlMs);
  }

  /**
   * Counts a guess before it is evaluated, so that no more than `maxAttempts` guesses are ever
   * judged, however many arrive at once.
   */
  async acquireGuess(email: string): Promise<GuessSlot> {
    const k = keys(email);
    const registration = await this.find(email);
    if (!registration) return { kind: 'no-registration' };
    const attempt = await this.store.increment(
      k.attempts,
      Math.max(1, await this.store.ttl(k.data)),
    );
    if (attempt > this.maxAttempts) return { kind: 'exhausted' };
    return { kind: 'granted', registration, attempt };
  }

  /** Removes the registration with its counters and cooldown. */
  async delete(email: string): Promise<void> {
    const k = keys(email);
    await this.store.delete(k.data, k.attempts, k.sends, k.cooldown);
  }

  /**
   * Ends a registration whose attempts are used up. The wrong-guess count stays until its
   * lifetime ends: guesses already past {@link find} when it ends (parallel requests, other
   * instances) must still count against the limit, and would start a fresh count at 1 if it
   * were deleted. A new registration starts it again ({@link acquireSendSlot}), with no cooldown.
   */
  async endExhausted(email: string): Promise<void> {
    const k = keys(email);
    await this.store.delete(k.data, k.sends, k.cooldown);
  }
}

function keys(email: string) {
  const base = `registration:${email}`;
  return {
    data: `${base}:data`,
    attempts: `${base}:attempts`,
    sends: `${base}:sends`,
    cooldown: `${base}:cooldown`,
  };
}
