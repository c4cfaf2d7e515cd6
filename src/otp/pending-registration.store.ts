import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { AtomicStore } from '../state/atomic-store.js';

/**
 * One registration attempt: what one `register` call asked for, and the code last sent for it.
 * Never holds the password or the code in clear.
 */
export interface RegistrationAttempt {
  /** The `registration_id` handed to whoever started the attempt: a random UUID. */
  id: string;
  email: string;
  fullName: string;
  passwordHash: string;
  otpHash: string;
  /** When the attempt started, in milliseconds since the epoch; its code's mail names it. */
  createdAt: number;
  /** When its code stops working, in milliseconds since the epoch. */
  expiresAt: number;
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
  /** `candidates`: the attempts whose code the guess may be, `attempt`: its number. */
  | { kind: 'granted'; candidates: RegistrationAttempt[]; attempt: number };

/**
 * The pending registration of an address: its live attempts, each under its own id (so that a
 * second `register` never replaces the first one's password), with a wrong-guess counter, a
 * send counter and a resend cooldown shared by all of them. Limits are enforced by atomic
 * increments and set-if-absent, never by read-then-write, so they hold under concurrency and,
 * with Redis, across instances. Every send gives the attempts and the counters the full
 * lifetime again.
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

  /** The live attempts for `email`, oldest first; none when nothing is pending. */
  async find(email: string): Promise<RegistrationAttempt[]> {
    const now = Date.now();
    return Object.values(await this.store.getFields(keys(email).pending))
      .map((raw) => JSON.parse(raw) as RegistrationAttempt)
      .filter((attempt) => attempt.expiresAt > now)
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  /**
   * Claims the right to send a code now: refused while the cooldown runs or once the send limit
   * is reached. Counters left by an expired or ended registration are cleared first. A refusal
   * leaves no cooldown behind.
   */
  async acquireSendSlot(email: string): Promise<SendSlot> {
    const k = keys(email);
    if (this.cooldownMs > 0 && !(await this.store.setIfAbsent(k.cooldown, '1', this.cooldownMs))) {
      return { granted: false, reason: 'cooldown', retryAfterMs: await this.store.ttl(k.cooldown) };
    }
    if ((await this.store.ttl(k.pending)) === 0) await this.store.delete(k.attempts, k.sends);
    const sends = await this.store.increment(k.sends, this.ttlMs);
    if (sends > this.maxSends) {
      await this.releaseCooldown(email);
      return { granted: false, reason: 'send-limit' };
    }
    return { granted: true };
  }

  /**
   * Ends the cooldown that {@link acquireSendSlot} started, for a send that did not happen. No
   * other request can have started it meanwhile: that is what the cooldown prevents.
   */
  async releaseCooldown(email: string): Promise<void> {
    await this.store.delete(keys(email).cooldown);
  }

  /**
   * Stores an attempt, new or with a new code, beside the others; the guess and send counts go
   * on. Writers of different attempts never lose each other's writes.
   */
  async save(attempt: RegistrationAttempt): Promise<void> {
    const k = keys(attempt.email);
    await this.store.setField(k.pending, attempt.id, JSON.stringify(attempt), this.ttlMs);
    await this.store.expire(k.attempts, this.ttlMs);
    await this.store.expire(k.sends, this.ttlMs);
  }

  /** Removes one attempt (its code could not be sent); the others stay. */
  async remove(email: string, id: string): Promise<void> {
    await this.store.deleteField(keys(email).pending, id);
  }

  /**
   * Counts a guess before it is evaluated, so that no more than `maxAttempts` guesses are ever
   * judged, however many arrive at once and whichever attempt they aim at. With `id`, the guess
   * may only be that attempt's code; an id that is not pending is no guess at all.
   */
  async acquireGuess(email: string, id?: string): Promise<GuessSlot> {
    const k = keys(email);
    const live = await this.find(email);
    const candidates = id === undefined ? live : live.filter((attempt) => attempt.id === id);
    if (candidates.length === 0) return { kind: 'no-registration' };
    const attempt = await countGuess(this.store, k, this.maxAttempts);
    return attempt === null ? { kind: 'exhausted' } : { kind: 'granted', candidates, attempt };
  }

  /** Removes every attempt with the counters and the cooldown (the account now exists). */
  async delete(email: string): Promise<void> {
    const k = keys(email);
    await this.store.delete(k.pending, k.attempts, k.sends, k.cooldown);
  }

  /**
   * Ends every attempt of a registration whose wrong guesses are used up. The wrong-guess count
   * stays until its lifetime ends: guesses already past {@link find} when it ends (parallel
   * requests, other instances) must still count against the limit, and would start a fresh
   * count at 1 if it were deleted. The cooldown stays too: ending a registration must not let a
   * new code out sooner than a resend would (the per-address caps bound the rest).
   */
  async endExhausted(email: string): Promise<void> {
    const k = keys(email);
    await this.store.delete(k.pending, k.sends);
  }
}

/**
 * Counts a guess at what is pending under `pending`, in `attempts`, which lives as long as it
 * does: the guess's number, or null once it is past `max`. One atomic increment, so concurrent
 * guesses on any instance each get a number of their own.
 */
export async function countGuess(
  store: AtomicStore,
  { pending, attempts }: { pending: string; attempts: string },
  max: number,
): Promise<number | null> {
  const attempt = await store.increment(attempts, Math.max(1, await store.ttl(pending)));
  return attempt > max ? null : attempt;
}

function keys(email: string) {
  const base = `registration:${email}`;
  return {
    /** The attempts, a map by id (a key of a new name: the string `:data` of old held one). */
    pending: `${base}:pending`,
    /** Wrong guesses of the pending registration, whichever attempt they aimed at. */
    attempts: `${base}:attempts`,
    sends: `${base}:sends`,
    cooldown: `${base}:cooldown`,
  };
}
