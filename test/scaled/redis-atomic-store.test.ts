import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RedisAtomicStore } from '../../src/state/redis-atomic-store.js';
import { describeAtomicStore } from '../support/atomic-store-contract.js';
import { deleteRedisKeys, redisKeys, TEST_REDIS_URL } from '../support/test-storage.js';

const prefixes = new WeakMap<RedisAtomicStore, string>();

/** A store on the test Redis under a prefix of its own, connected. */
async function connectedStore(): Promise<RedisAtomicStore> {
  const prefix = `otp-auth-store-test:${randomBytes(4).toString('hex')}:`;
  const store = new RedisAtomicStore(TEST_REDIS_URL, prefix);
  prefixes.set(store, prefix);
  await store.onModuleInit();
  return store;
}

async function releaseStore(store: RedisAtomicStore): Promise<void> {
  await store.onApplicationShutdown();
  await deleteRedisKeys(TEST_REDIS_URL, prefixes.get(store)!);
}

// The same contract as the in-process store: the service behaves alike on one shape or the other.
describeAtomicStore('RedisAtomicStore', connectedStore, releaseStore);

describe('RedisAtomicStore keys', () => {
  it('writes every key under its prefix', async () => {
    const store = await connectedStore();
    try {
      await store.set('a', '1', 60_000);
      await store.increment('n', 60_000);
      await store.setIfAbsent('lock', '1', 60_000);

      const keys = await redisKeys(TEST_REDIS_URL, prefixes.get(store)!);
      assert.deepEqual(
        keys.sort(),
        ['a', 'lock', 'n'].map((key) => prefixes.get(store)! + key),
      );
    } finally {
      await releaseStore(store);
    }
  });
});
