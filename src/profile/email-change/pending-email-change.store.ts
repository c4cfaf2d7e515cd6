import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { countGuess } from '../../otp/pending-registration.store.js';
import { AtomicStore } from '../../state/atomic-store.js';

/** A requested, not yet confirmed change of an account's address. Never holds the code in clear. */
export interface PendingEmailChange {
  /** Names this request: a random UUID. */
  id: string;
  /** The address the account had when the change was requested; the switch needs it unchanged. */
  fromEmail: string;
  newEmail: string;
  /** The code's HMAC, bound to `newEmail`, as registration codes are. */
  otpHash: string;
  /** When the code stops working, in milliseconds since the epoch. */
  expiresAt: number;
  /**
   * Set when `newEmail` already has an account and enumeration protection is on: no code was
   * sent, so no guess can succeed.
   */
  existingAccount?: boolean;
}

export type EmailChangeGuessSlot =
  | { kind: 'none' }
  | { kind: 'exhausted' }
  | { kind: 'granted'; change: PendingEmailChange; attempt: number };

/**
 * The pending e-mail change of each account, keyed by user id, with its wrong-guess counter and
 * resend cooldown, in the {@link AtomicStore} (shared by every instance with Redis). A new
 * request replaces the pending change; the wrong-guess count carries over to the replacement.
 * Limits are atomic increments and set-if-absent, never read-then-write, as for registrations.
 */
@Injectable()
export class PendingEmailChangeStore {
  private readonly ttlMs: number;
  private readonly cooldownMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: AtomicStore,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.ttlMs = options.otp.ttl * 1000;
    this.cooldownMs = options.otp.resendCooldown * 1000;
    this.maxAttempts = options.otp.maxAttempts;
  }

  /** The live pending change of the account, if any. */
  async find(userId: string): Promise<PendingEmailChange | null> {
    const raw = await this.store.get(keys(userId).pending);
    if (raw === null) return null;
    const change = JSON.parse(raw) as PendingEmailChange;
    return change.expiresAt > Date.now() ? change : null;
  }

  /**
   * Starts the resend cooldown, or tells how long it still runs. The wrong-guess count of a
   * change that ended (expired, used up) is cleared first; that of a live one carries over.
   */
  async acquireCooldown(
    userId: string,
  ): Promise<{ granted: true } | { granted: false; retryAfterMs: number }> {
    const k = keys(userId);
    if (this.cooldownMs > 0 && !(await this.store.setIfAbsent(k.cooldown, '1', this.cooldownMs))) {
      return { granted: false, retryAfterMs: await this.store.ttl(k.cooldown) };
    }
    if ((await this.store.ttl(k.pending)) === 0) await this.store.delete(k.attempts);
    return { granted: true };
  }

  /** Ends the cooldown {@link acquireCooldown} started, for a code that was not sent. */
  async releaseCooldown(userId: string): Promise<void> {
    await this.store.delete(keys(userId).cooldown);
  }

  /** Stores the change, replacing any pending one; the wrong-guess count goes on. */
  async save(userId: string, change: PendingEmailChange): Promise<void> {
    const k = keys(userId);
    await this.store.set(k.pending, JSON.stringify(change), this.ttlMs);
    await this.store.expire(k.attempts, this.ttlMs);
  }

  /**
   * Counts a guess before it is judged, so that no more than `maxAttempts` guesses are ever
   * evaluated however many arrive at once, on any instance.
   */
  async acquireGuess(userId: string): Promise<EmailChangeGuessSlot> {
    const change = await this.find(userId);
    if (!change) return { kind: 'none' };
    const attempt = await countGuess(this.store, keys(userId), this.maxAttempts);
    return attempt === null ? { kind: 'exhausted' } : { kind: 'granted', change, attempt };
  }

  /**
   * Ends the pending change only. The wrong-guess count stays until its lifetime ends, so that
   * guesses already past {@link find} still count; the cooldown stays too (see
   * `PendingRegistrationStore.endExhausted`).
   */
  async end(userId: string): Promise<void> {
    await this.store.delete(keys(userId).pending);
  }

  /** Removes the change with its counter and cooldown: the address switched. */
  async delete(userId: string): Promise<void> {
    const k = keys(userId);
    await this.store.delete(k.pending, k.attempts, k.cooldown);
  }
}

function keys(userId: string) {
  const base = `email-change:${userId}`;
  return {
    pending: `${base}:pending`,
    attempts: `${base}:attempts`,
    cooldown: `${base}:cooldown`,
  };
}
