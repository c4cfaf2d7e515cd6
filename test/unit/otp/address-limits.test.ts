import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { OtpOptions } from '../../../src/config/otp-auth-options.js';
import { AddressLimits } from '../../../src/otp/address-limits.service.js';
import { MemoryAtomicStore } from '../../../src/state/memory-atomic-store.js';
import { sleep, testOptions } from '../support/options.js';

const EMAIL = 'ada@example.com';

describe('AddressLimits', () => {
  const stores: MemoryAtomicStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.onModuleDestroy();
  });

  function limits(otp: Partial<OtpOptions> = {}): AddressLimits {
    const store = new MemoryAtomicStore();
    stores.push(store);
    return new AddressLimits(store, testOptions({ otp }));
  }

  describe('sends', () => {
    it('grants maxSendsPerAddress sends, then refuses until the oldest leaves the window', async () => {
      const address = limits({ maxSendsPerAddress: 2, addressWindow: 1 });
      assert.equal((await address.acquireSend(EMAIL)).granted, true);
      await sleep(500);
      assert.equal((await address.acquireSend(EMAIL)).granted, true);

      const refused = await address.acquireSend(EMAIL);

      assert.ok(!refused.granted);
      assert.ok(
        refused.retryAfterMs > 0 && refused.retryAfterMs <= 500,
        `retry after ${refused.retryAfterMs}`,
      );
      assert.equal((await address.acquireSend(EMAIL)).granted, false, 'a refusal took a slot');
      await sleep(refused.retryAfterMs + 10);
      assert.equal((await address.acquireSend(EMAIL)).granted, true);
      assert.equal((await address.acquireSend(EMAIL)).granted, false, 'one slot only came free');
    });

    it('takes a released send back', async () => {
      const address = limits({ maxSendsPerAddress: 1 });
      const first = await address.acquireSend(EMAIL);
      assert.ok(first.granted);
      await first.release();
      assert.equal((await address.acquireSend(EMAIL)).granted, true);
    });

    it('grants exactly maxSendsPerAddress of 50 concurrent sends', async () => {
      const address = limits({ maxSendsPerAddress: 5 });
      const sends = await Promise.all(Array.from({ length: 50 }, () => address.acquireSend(EMAIL)));
      assert.equal(sends.filter((send) => send.granted).length, 5);
    });

    it('counts per address, with the defaults of a host that sets none (5 an hour)', async () => {
      const address = limits({
        maxSendsPerAddress: undefined,
        maxFailuresPerAddress: undefined,
        addressWindow: undefined,
      });
      for (let send = 1; send <= 5; send++) {
        assert.equal((await address.acquireSend(EMAIL)).granted, true);
      }
      const refused = await address.acquireSend(EMAIL);
      assert.ok(!refused.granted && refused.retryAfterMs > 3_599_000);
      assert.equal((await address.acquireSend('grace@example.com')).granted, true);
    });
  });

  describe('guesses', () => {
    it('counts each guess as wrong, telling how many are left, and refuses past the cap', async () => {
      const address = limits({ maxFailuresPerAddress: 3 });
      const left: number[] = [];
      for (let guess = 1; guess <= 3; guess++) {
        const granted = await address.acquireGuess(EMAIL);
        assert.ok(granted.granted);
        left.push(granted.failuresLeft);
      }
      const refused = await address.acquireGuess(EMAIL);

      assert.deepEqual(left, [2, 1, 0]);
      assert.ok(!refused.granted && refused.retryAfterMs > 3_599_000);
      assert.equal((await address.checkGuessesLeft(EMAIL)).granted, false);
    });

    it('forgives a guess that was right', async () => {
      const address = limits({ maxFailuresPerAddress: 1 });
      const right = await address.acquireGuess(EMAIL);
      assert.ok(right.granted);
      await right.forgive();
      assert.equal((await address.checkGuessesLeft(EMAIL)).granted, true);
      assert.equal((await address.acquireGuess(EMAIL)).granted, true);
    });

    it('grants exactly maxFailuresPerAddress of 50 concurrent guesses', async () => {
      const address = limits({ maxFailuresPerAddress: 10 });
      const guesses = await Promise.all(
        Array.from({ length: 50 }, () => address.acquireGuess(EMAIL)),
      );
      const granted = guesses.flatMap((guess) => (guess.granted ? [guess.failuresLeft] : []));
      assert.deepEqual(
        granted.sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i),
      );
    });
  });

  describe('several subjects at once (an e-mail change: the new address and the account)', () => {
    const ACCOUNT = { account: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e' };

    it('counts an account apart from any address, and apart from an address spelled like its id', async () => {
      const address = limits({ maxSendsPerAddress: 1 });
      assert.equal((await address.acquireSend(ACCOUNT)).granted, true);
      assert.equal((await address.acquireSend(ACCOUNT)).granted, false);
      assert.equal((await address.acquireSend(ACCOUNT.account)).granted, true);
      assert.equal((await address.acquireSend(EMAIL)).granted, true);
    });

    it('grants a send to all subjects or counts it against none, naming the one refused', async () => {
      const address = limits({ maxSendsPerAddress: 2 });
      for (const other of ['a@example.com', 'b@example.com']) {
        assert.equal((await address.acquireSends([other, ACCOUNT])).granted, true);
      }
      const refused = await address.acquireSends(['c@example.com', ACCOUNT]);
      assert.ok(!refused.granted);
      assert.deepEqual([refused.subject, refused.cap], [ACCOUNT, 'sends']);
      // c@example.com's slot was given back: two sends still fit there.
      assert.equal((await address.acquireSend('c@example.com')).granted, true);
      assert.equal((await address.acquireSend('c@example.com')).granted, true);
    });

    it('refuses a send to a subject without a wrong guess left, and releases the others', async () => {
      const address = limits({ maxSendsPerAddress: 1, maxFailuresPerAddress: 1 });
      assert.ok((await address.acquireGuess(ACCOUNT)).granted);
      const refused = await address.acquireSends([EMAIL, ACCOUNT]);
      assert.ok(!refused.granted);
      assert.deepEqual([refused.subject, refused.cap], [ACCOUNT, 'failures']);
      assert.equal((await address.acquireSend(EMAIL)).granted, true, 'the address kept a send');
    });

    it('release gives every subject its send back', async () => {
      const address = limits({ maxSendsPerAddress: 1 });
      const granted = await address.acquireSends([EMAIL, ACCOUNT]);
      assert.ok(granted.granted);
      await granted.release();
      assert.equal((await address.acquireSends([EMAIL, ACCOUNT])).granted, true);
    });
  });
});
