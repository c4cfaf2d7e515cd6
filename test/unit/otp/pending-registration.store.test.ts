import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { OtpOptions } from '../../../src/config/otp-auth-options.js';
import {
  PendingRegistrationStore,
  type RegistrationAttempt,
} from '../../../src/otp/pending-registration.store.js';
import { MemoryAtomicStore } from '../../../src/state/memory-atomic-store.js';
import { sleep, testOptions } from '../support/options.js';

const EMAIL = 'ada@example.com';

/** The in-process store, with a way to hold one increment back until the test lets it go. */
class PausingStore extends MemoryAtomicStore {
  private pause?: { arrived: () => void; released: Promise<void> };

  /** The next increment waits for `release()`; `waiting` resolves once it is waiting. */
  pauseNextIncrement(): { waiting: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.pause = { arrived, released };
    return { waiting, release };
  }

  override async increment(key: string, ttlMs: number): Promise<number> {
    const pause = this.pause;
    this.pause = undefined;
    if (pause) {
      pause.arrived();
      await pause.released;
    }
    return super.increment(key, ttlMs);
  }
}

const FIRST_ID = '00000000-0000-4000-8000-000000000001';
const SECOND_ID = '00000000-0000-4000-8000-000000000002';
const PAST_SEND_LIMIT = { granted: false, reason: 'send-limit' } as const;

function attempt(otpHash = 'otp-hash-1', overrides: Partial<RegistrationAttempt> = {}) {
  return {
    id: FIRST_ID,
    email: EMAIL,
    fullName: 'Ada Lovelace',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$x$y',
    otpHash,
    createdAt: Date.now(),
    expiresAt: Date.now() + 600_000,
    ...overrides,
  } satisfies RegistrationAttempt;
}

describe('PendingRegistrationStore', () => {
  const atomic: MemoryAtomicStore[] = [];
  afterEach(() => {
    for (const store of atomic.splice(0)) store.onModuleDestroy();
  });

  function pending(otp: Partial<OtpOptions> = {}): {
    store: PendingRegistrationStore;
    atomic: MemoryAtomicStore;
  } {
    const memory = new MemoryAtomicStore();
    atomic.push(memory);
    return { store: new PendingRegistrationStore(memory, testOptions({ otp })), atomic: memory };
  }

  /** Claims a send slot and saves, as a register or resend does (of the first attempt by default). */
  async function send(
    store: PendingRegistrationStore,
    otpHash?: string,
    overrides: Partial<RegistrationAttempt> = {},
  ): Promise<RegistrationAttempt> {
    assert.deepEqual(await store.acquireSendSlot(EMAIL), { granted: true });
    const saved = attempt(otpHash, overrides);
    await store.save(saved);
    return saved;
  }

  describe('acquireSendSlot', () => {
    it('grants the first send', async () => {
      const { store } = pending();
      assert.deepEqual(await store.acquireSendSlot(EMAIL), { granted: true });
    });

    it('refuses a send during the cooldown, telling how long to wait', async () => {
      const { store } = pending({ resendCooldown: 60 });
      await send(store);
      const slot = await store.acquireSendSlot(EMAIL);
      assert.equal(slot.granted, false);
      assert.ok(!slot.granted && slot.reason === 'cooldown');
      assert.ok(
        slot.retryAfterMs > 59_000 && slot.retryAfterMs <= 60_000,
        `retryAfterMs ${slot.retryAfterMs}`,
      );
    });

    it('grants a send again once the cooldown has passed', async () => {
      const { store } = pending({ resendCooldown: 0.03 });
      await send(store);
      assert.equal((await store.acquireSendSlot(EMAIL)).granted, false);
      await sleep(50);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), { granted: true });
    });

    it('keeps the cooldown per address', async () => {
      const { store } = pending({ resendCooldown: 60 });
      await send(store);
      assert.deepEqual(await store.acquireSendSlot('grace@example.com'), { granted: true });
    });

    it('refuses the send after maxSends, the first included', async () => {
      const { store } = pending({ resendCooldown: 0, maxSends: 5 });
      for (let i = 1; i <= 5; i++) await send(store, `otp-hash-${i}`);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), PAST_SEND_LIMIT);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), PAST_SEND_LIMIT);
    });

    it('leaves no cooldown behind when it refuses a send past the limit', async () => {
      const { store } = pending({ resendCooldown: 0.03, maxSends: 1 });
      await send(store);
      await sleep(50);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), PAST_SEND_LIMIT);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), PAST_SEND_LIMIT, 'a cooldown was left');
    });

    it('clears counters left behind when there is no registration any more', async () => {
      const { store, atomic: memory } = pending({ resendCooldown: 0, maxSends: 5, maxAttempts: 5 });
      // What an expired registration could leave: its counters without its data (key layout of
      // pending-registration.store.ts).
      await memory.set(`registration:${EMAIL}:sends`, '5', 60_000);
      await memory.set(`registration:${EMAIL}:attempts`, '5', 60_000);
      assert.deepEqual(await store.acquireSendSlot(EMAIL), { granted: true });
      await store.save(attempt());
      const guess = await store.acquireGuess(EMAIL);
      assert.equal(guess.kind === 'granted' && guess.attempt, 1);
    });

    it('starts a registration that expired over again', async () => {
      const { store } = pending({ ttl: 0.03, resendCooldown: 0, maxSends: 2, maxAttempts: 2 });
      await send(store, 'first', { expiresAt: Date.now() + 30 });
      await send(store, 'first', { expiresAt: Date.now() + 30 });
      assert.equal((await store.acquireGuess(EMAIL)).kind, 'granted');
      await sleep(50);
      assert.deepEqual(await store.find(EMAIL), []);
      await send(store);
      const guess = await store.acquireGuess(EMAIL);
      assert.equal(guess.kind === 'granted' && guess.attempt, 1);
    });
  });

  describe('save and find', () => {
    it('finds what was saved', async () => {
      const { store } = pending();
      const saved = await send(store);
      assert.deepEqual(await store.find(EMAIL), [saved]);
      assert.deepEqual(await store.find('grace@example.com'), []);
    });

    it('forgets the registration after its lifetime', async () => {
      const { store } = pending({ ttl: 0.03 });
      await send(store);
      await sleep(50);
      assert.deepEqual(await store.find(EMAIL), []);
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'no-registration' });
    });

    it('keeps each attempt beside the others, oldest first, and replaces one only by its id', async () => {
      const { store } = pending({ resendCooldown: 0 });
      const first = await send(store, 'first', { createdAt: 1000 });
      const second = await send(store, 'second', { id: SECOND_ID, createdAt: 2000 });
      const resent = await send(store, 'first again', { createdAt: 1000 });
      assert.deepEqual(await store.find(EMAIL), [resent, second]);
      assert.notDeepEqual(resent, first);
    });

    it('leaves out an attempt whose code has expired, and keeps the others', async () => {
      const { store } = pending({ resendCooldown: 0 });
      await send(store, 'first', { expiresAt: Date.now() + 30 });
      const second = await send(store, 'second', { id: SECOND_ID });
      await sleep(50);
      assert.deepEqual(await store.find(EMAIL), [second]);
    });

    it('removes one attempt and keeps the others', async () => {
      const { store } = pending({ resendCooldown: 0 });
      await send(store, 'first');
      const second = await send(store, 'second', { id: SECOND_ID });
      await store.remove(EMAIL, FIRST_ID);
      assert.deepEqual(await store.find(EMAIL), [second]);
      await store.remove(EMAIL, SECOND_ID);
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'no-registration' });
    });

    it('carries the guess count over to every attempt of the address', async () => {
      const { store } = pending({ resendCooldown: 0, maxAttempts: 5 });
      await send(store, 'first');
      await store.acquireGuess(EMAIL);
      await store.acquireGuess(EMAIL);
      await send(store, 'second', { id: SECOND_ID });
      const guess = await store.acquireGuess(EMAIL, SECOND_ID);
      assert.equal(guess.kind === 'granted' && guess.attempt, 3);
    });

    it('carries the send count over to every attempt of the address', async () => {
      const { store } = pending({ resendCooldown: 0, maxSends: 3 });
      await send(store, 'first');
      await send(store, 'second', { id: SECOND_ID });
      await send(store, 'third');
      assert.deepEqual(await store.acquireSendSlot(EMAIL), PAST_SEND_LIMIT);
      assert.deepEqual((await store.find(EMAIL)).map((saved) => saved.otpHash).sort(), [
        'second',
        'third',
      ]);
    });
  });

  describe('acquireGuess', () => {
    it('tells when there is no registration', async () => {
      const { store } = pending();
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'no-registration' });
    });

    it('grants maxAttempts guesses with increasing attempt numbers, then none', async () => {
      const { store } = pending({ maxAttempts: 3 });
      await send(store);
      const saved = (await store.find(EMAIL))[0];
      for (let attempt = 1; attempt <= 3; attempt++) {
        assert.deepEqual(await store.acquireGuess(EMAIL), {
          kind: 'granted',
          candidates: [saved],
          attempt,
        });
      }
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'exhausted' });
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'exhausted' });
    });

    it('grants at most maxAttempts of 50 concurrent guesses', async () => {
      const { store } = pending({ maxAttempts: 5 });
      await send(store);
      const guesses = await Promise.all(
        Array.from({ length: 50 }, () => store.acquireGuess(EMAIL)),
      );
      const attempts = guesses.flatMap((guess) =>
        guess.kind === 'granted' ? [guess.attempt] : [],
      );
      assert.ok(attempts.length <= 5, `${attempts.length} guesses granted`);
      assert.deepEqual(
        [...attempts].sort((a, b) => a - b),
        [1, 2, 3, 4, 5],
      );
      assert.equal(guesses.filter((guess) => guess.kind === 'exhausted').length, 45);
    });

    it('does not reset the guess count on a resend', async () => {
      const { store } = pending({ resendCooldown: 0, maxAttempts: 2 });
      await send(store);
      await store.acquireGuess(EMAIL);
      await store.acquireGuess(EMAIL);
      await send(store, 'resent');
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'exhausted' });
    });

    it('counts guesses per address', async () => {
      const { store } = pending({ maxAttempts: 1 });
      await send(store);
      await store.acquireGuess(EMAIL);
      assert.equal(
        await store.acquireSendSlot('grace@example.com').then((slot) => slot.granted),
        true,
      );
      await store.save({ ...attempt(), email: 'grace@example.com' });
      assert.equal((await store.acquireGuess('grace@example.com')).kind, 'granted');
    });

    it('with an id, offers only that attempt; an id that is not pending is no guess at all', async () => {
      const { store } = pending({ resendCooldown: 0, maxAttempts: 5 });
      const first = await send(store, 'first');
      const second = await send(store, 'second', { id: SECOND_ID });
      assert.deepEqual(await store.acquireGuess(EMAIL), {
        kind: 'granted',
        candidates: [first, second],
        attempt: 1,
      });
      assert.deepEqual(await store.acquireGuess(EMAIL, SECOND_ID), {
        kind: 'granted',
        candidates: [second],
        attempt: 2,
      });
      assert.deepEqual(await store.acquireGuess(EMAIL, '00000000-0000-4000-8000-00000000000f'), {
        kind: 'no-registration',
      });
      const next = await store.acquireGuess(EMAIL);
      assert.equal(next.kind === 'granted' && next.attempt, 3, 'the unknown id was counted');
    });
  });

  describe('endExhausted', () => {
    it('ends every attempt; the cooldown goes on, and a new registration then starts with fresh counts', async () => {
      const { store } = pending({ resendCooldown: 0.2, maxAttempts: 2 });
      await send(store);
      await sleep(220);
      await send(store, 'second', { id: SECOND_ID });
      await store.acquireGuess(EMAIL);
      await store.acquireGuess(EMAIL);
      await store.endExhausted(EMAIL);
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'no-registration' });
      assert.deepEqual(await store.acquireGuess(EMAIL, SECOND_ID), { kind: 'no-registration' });
      const refused = await store.acquireSendSlot(EMAIL);
      assert.ok(!refused.granted && refused.reason === 'cooldown', 'the cooldown was reset');
      await sleep(220);
      await send(store, 'again');
      const guess = await store.acquireGuess(EMAIL);
      assert.equal(guess.kind === 'granted' && guess.attempt, 1);
    });

    it('a guess that found the registration before it ended still counts as over the limit', async () => {
      const memory = new PausingStore();
      atomic.push(memory);
      const store = new PendingRegistrationStore(memory, testOptions({ otp: { maxAttempts: 2 } }));
      await send(store);
      assert.equal((await store.acquireGuess(EMAIL)).kind, 'granted');

      // A guess that has read the registration and not yet counted itself, as a parallel request
      // on another instance may be, while the last allowed guess ends the registration.
      const pause = memory.pauseNextIncrement();
      const inFlight = store.acquireGuess(EMAIL);
      await pause.waiting;
      const exhausting = await store.acquireGuess(EMAIL);
      assert.equal(exhausting.kind === 'granted' && exhausting.attempt, 2);
      await store.endExhausted(EMAIL);
      pause.release();

      assert.deepEqual(await inFlight, { kind: 'exhausted' });
    });
  });

  describe('delete', () => {
    it('removes every attempt, the counters and the cooldown', async () => {
      const { store } = pending({ resendCooldown: 60, maxAttempts: 2, maxSends: 5 });
      await send(store);
      await store.save(attempt('second', { id: SECOND_ID }));
      await store.acquireGuess(EMAIL);
      await store.acquireGuess(EMAIL);
      await store.delete(EMAIL);
      assert.deepEqual(await store.find(EMAIL), []);
      assert.deepEqual(await store.acquireGuess(EMAIL), { kind: 'no-registration' });
      // No cooldown: a new registration may send at once, and starts with fresh counts.
      await send(store, 'again');
      const guess = await store.acquireGuess(EMAIL);
      assert.equal(guess.kind === 'granted' && guess.attempt, 1);
    });
  });
});
