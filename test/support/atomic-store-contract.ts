import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AtomicStore } from '../../src/state/atomic-store.js';

/** Resolves after `ms` milliseconds. */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * What every {@link AtomicStore} must do, the in-process one and the Redis one alike: `create`
 * gives a fresh, empty store for each test, `destroy` releases it.
 */
export function describeAtomicStore<S extends AtomicStore>(
  name: string,
  create: () => Promise<S> | S,
  destroy: (store: S) => Promise<void> | void,
): void {
  describe(name, () => {
    let store: S;
    beforeEach(async () => {
      store = await create();
    });
    afterEach(() => destroy(store));

    it('gets what was set, and null for what was not', async () => {
      await store.set('a', 'one', 60_000);
      assert.equal(await store.get('a'), 'one');
      assert.equal(await store.get('b'), null);
    });

    it('replaces the value and the lifetime on set', async () => {
      await store.set('a', 'one', 30);
      await store.set('a', 'two', 60_000);
      await sleep(50);
      assert.equal(await store.get('a'), 'two');
    });

    it('forgets a key once its lifetime has passed', async () => {
      await store.set('a', 'one', 30);
      assert.equal(await store.get('a'), 'one');
      await sleep(50);
      assert.equal(await store.get('a'), null);
      assert.equal(await store.ttl('a'), 0);
    });

    it('sets if absent only once, and again after expiry', async () => {
      assert.equal(await store.setIfAbsent('lock', 'first', 30), true);
      assert.equal(await store.setIfAbsent('lock', 'second', 30), false);
      assert.equal(await store.get('lock'), 'first');
      await sleep(50);
      assert.equal(await store.setIfAbsent('lock', 'third', 60_000), true);
      assert.equal(await store.get('lock'), 'third');
    });

    it('lets exactly one of many concurrent setIfAbsent win', async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.setIfAbsent('lock', `${i}`, 60_000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    describe('increment', () => {
      it('starts a new counter at 1 with the given lifetime', async () => {
        assert.equal(await store.increment('n', 60_000), 1);
        const ttl = await store.ttl('n');
        assert.ok(ttl > 59_000 && ttl <= 60_000, `ttl ${ttl}`);
      });

      it('counts up and keeps the lifetime of an existing counter', async () => {
        assert.equal(await store.increment('n', 1000), 1);
        assert.equal(await store.increment('n', 60_000), 2);
        assert.equal(await store.increment('n', 60_000), 3);
        const ttl = await store.ttl('n');
        assert.ok(ttl > 0 && ttl <= 1000, `ttl ${ttl}`);
        assert.equal(await store.get('n'), '3');
      });

      it('starts again at 1 once the counter has expired', async () => {
        await store.increment('n', 30);
        await store.increment('n', 30);
        await sleep(50);
        assert.equal(await store.increment('n', 30), 1);
      });

      it('counts every one of many concurrent increments', async () => {
        const values = await Promise.all(
          Array.from({ length: 50 }, () => store.increment('n', 60_000)),
        );
        assert.deepEqual(
          [...values].sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });
    });

    describe('incrementWithTtl', () => {
      it('counts like increment and tells the lifetime left of the counter', async () => {
        const first = await store.incrementWithTtl('n', 60_000);
        assert.equal(first.count, 1);
        assert.ok(first.ttlMs > 59_000 && first.ttlMs <= 60_000, `ttl ${first.ttlMs}`);
        await store.increment('n', 60_000);
        await sleep(30);
        const third = await store.incrementWithTtl('n', 1_000);
        assert.equal(third.count, 3);
        assert.ok(third.ttlMs > 58_000 && third.ttlMs < first.ttlMs, `ttl ${third.ttlMs}`);
      });

      it('counts every one of many concurrent calls, each with a lifetime', async () => {
        const states = await Promise.all(
          Array.from({ length: 50 }, () => store.incrementWithTtl('n', 60_000)),
        );
        assert.deepEqual(
          states.map((state) => state.count).sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        assert.ok(states.every((state) => state.ttlMs > 0 && state.ttlMs <= 60_000));
      });
    });

    it('gives a key a new lifetime on expire, and ignores a missing key', async () => {
      await store.set('a', 'one', 30);
      await store.expire('a', 60_000);
      await sleep(50);
      assert.equal(await store.get('a'), 'one');
      await store.expire('missing', 60_000);
      assert.equal(await store.get('missing'), null);
    });

    it('tells the remaining lifetime in milliseconds, 0 when absent', async () => {
      await store.set('a', 'one', 5000);
      const ttl = await store.ttl('a');
      assert.ok(ttl > 4900 && ttl <= 5000, `ttl ${ttl}`);
      assert.equal(await store.ttl('missing'), 0);
    });

    it('deletes several keys at once', async () => {
      await store.set('a', '1', 60_000);
      await store.set('b', '2', 60_000);
      await store.set('c', '3', 60_000);
      await store.delete('a', 'c', 'missing');
      assert.deepEqual(await store.getMany(['a', 'b', 'c']), [null, '2', null]);
    });

    it('gets many keys in order, null for missing and expired ones', async () => {
      await store.set('a', '1', 60_000);
      await store.set('short', 'x', 30);
      await store.set('c', '3', 60_000);
      await sleep(50);
      assert.deepEqual(await store.getMany(['c', 'missing', 'short', 'a']), ['3', null, null, '1']);
      assert.deepEqual(await store.getMany([]), []);
    });

    describe('maps of fields', () => {
      it('gets every field set, and nothing for a map that does not exist', async () => {
        await store.setField('m', 'a', 'one', 60_000);
        await store.setField('m', 'b', 'two', 60_000);
        await store.setField('m', 'a', 'uno', 60_000);
        assert.deepEqual(await store.getFields('m'), { a: 'uno', b: 'two' });
        assert.deepEqual(await store.getFields('missing'), {});
      });

      it('gives the whole map a new lifetime on each set', async () => {
        await store.setField('m', 'a', 'one', 30);
        await store.setField('m', 'b', 'two', 60_000);
        await sleep(50);
        assert.deepEqual(await store.getFields('m'), { a: 'one', b: 'two' });
        await store.setField('m', 'c', 'three', 30);
        await sleep(50);
        assert.deepEqual(await store.getFields('m'), {});
        assert.equal(await store.ttl('m'), 0);
      });

      it('deletes one field; a map left empty no longer exists', async () => {
        await store.setField('m', 'a', 'one', 60_000);
        await store.setField('m', 'b', 'two', 60_000);
        await store.deleteField('m', 'a');
        await store.deleteField('m', 'missing');
        assert.deepEqual(await store.getFields('m'), { b: 'two' });
        await store.deleteField('m', 'b');
        assert.equal(await store.ttl('m'), 0);
        assert.equal(await store.setIfAbsent('m', 'free again', 60_000), true);
      });

      it('loses none of many concurrent writes of different fields', async () => {
        await Promise.all(
          Array.from({ length: 20 }, (_, i) => store.setField('m', `f${i}`, `${i}`, 60_000)),
        );
        assert.equal(Object.keys(await store.getFields('m')).length, 20);
      });
    });

    describe('sliding-window logs', () => {
      it('counts each record added, the new one included, and tells when the oldest leaves', async () => {
        assert.equal((await store.addToWindow('w', 'r1', 60_000)).count, 1);
        await sleep(20);
        const second = await store.addToWindow('w', 'r2', 60_000);
        assert.equal(second.count, 2);
        assert.ok(
          second.oldestLeavesInMs > 59_000 && second.oldestLeavesInMs <= 59_990,
          `oldest leaves in ${second.oldestLeavesInMs} ms`,
        );
        assert.equal((await store.countWindow('w', 60_000)).count, 2, 'counting adds nothing');
      });

      it('forgets records older than the window, one by one', async () => {
        await store.addToWindow('w', 'old', 300);
        await sleep(150);
        assert.equal((await store.addToWindow('w', 'new', 300)).count, 2);
        await sleep(200);
        const left = await store.countWindow('w', 300);
        assert.equal(left.count, 1, 'the first record left, the second stays');
        assert.ok(
          left.oldestLeavesInMs > 0 && left.oldestLeavesInMs <= 100,
          `oldest leaves in ${left.oldestLeavesInMs} ms`,
        );
        await sleep(150);
        assert.deepEqual(await store.countWindow('w', 300), { count: 0, oldestLeavesInMs: 0 });
        assert.equal(await store.ttl('w'), 0, 'the log lives as long as its newest record');
      });

      it('takes a record back', async () => {
        await store.addToWindow('w', 'r1', 60_000);
        await store.addToWindow('w', 'r2', 60_000);
        await store.removeFromWindow('w', 'r1');
        await store.removeFromWindow('w', 'missing');
        assert.equal((await store.countWindow('w', 60_000)).count, 1);
        assert.equal((await store.addToWindow('w', 'r3', 60_000)).count, 2);
      });

      it('gives each of many concurrent records its own count', async () => {
        const counts = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.addToWindow('w', `r${i}`, 60_000)),
        );
        assert.deepEqual(
          counts.map(({ count }) => count).sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });
    });

    it('answers a ping', async () => {
      await assert.doesNotReject(store.ping());
    });
  });
}
