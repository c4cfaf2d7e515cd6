import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '../../../src/common/errors/infrastructure-error.js';
import { MemoryAtomicStore } from '../../../src/state/memory-atomic-store.js';
import { describeAtomicStore } from '../../support/atomic-store-contract.js';

describeAtomicStore(
  'MemoryAtomicStore',
  () => new MemoryAtomicStore(),
  (store) => store.onModuleDestroy(),
);

const MINUTE = 60_000;

describe('MemoryAtomicStore with a bound of 3 entries', () => {
  let store: MemoryAtomicStore;
  afterEach(() => store.onModuleDestroy());

  it('refuses a new key once full of counters and cooldowns, as a store that does not answer', async () => {
    store = new MemoryAtomicStore(3);
    await store.increment('login-failures:a', MINUTE);
    await store.setIfAbsent('cooldown:a', '1', MINUTE);
    await store.set('pending:a', '{}', MINUTE);

    await assert.rejects(store.increment('login-failures:b', MINUTE), StoreUnavailableError);
    await assert.rejects(store.setIfAbsent('cooldown:b', '1', MINUTE), StoreUnavailableError);
    await assert.rejects(store.set('pending:b', '{}', MINUTE), StoreUnavailableError);
    assert.equal(await store.get('login-failures:b'), null);
  });

  it('never drops a live counter to make room: a flood of new keys leaves its count as it was', async () => {
    store = new MemoryAtomicStore(3);
    for (let failure = 0; failure < 4; failure++)
      await store.increment('login-failures:victim', MINUTE);
    await store.set('pending:x', '{}', MINUTE);

    for (let attempt = 0; attempt < 1000; attempt++) {
      await store.increment(`login-failures:flood-${attempt}`, MINUTE).catch(() => undefined);
      await store
        .set(`profile:flood-${attempt}`, '{}', MINUTE, { evictable: true })
        .catch(() => undefined);
    }

    assert.equal(await store.increment('login-failures:victim', MINUTE), 5);
    assert.equal(await store.get('pending:x'), '{}');
  });

  it('drops the oldest evictable entry first, and keeps the counters', async () => {
    store = new MemoryAtomicStore(3);
    await store.set('profile:old', 'old', MINUTE, { evictable: true });
    await store.setIfAbsent('revocation:jti:x', '0', MINUTE, { evictable: true });
    await store.increment('throttle:ip', MINUTE);

    await store.increment('login-failures:a', MINUTE);
    assert.equal(await store.get('profile:old'), null, 'the oldest evictable entry is gone');
    assert.equal(await store.get('revocation:jti:x'), '0');
    assert.equal(await store.get('throttle:ip'), '1');

    await store.set('profile:new', 'new', MINUTE, { evictable: true });
    assert.equal(await store.get('revocation:jti:x'), null);
    assert.equal(await store.get('profile:new'), 'new');
    assert.equal(await store.get('login-failures:a'), '1');
  });

  it('does not keep an evictable write that finds no room, and does not fail it either', async () => {
    store = new MemoryAtomicStore(3);
    for (const key of ['a', 'b', 'c']) await store.increment(`counter:${key}`, MINUTE);

    await store.set('profile:x', '{}', MINUTE, { evictable: true });
    assert.equal(await store.setIfAbsent('revocation:y', '0', MINUTE, { evictable: true }), true);

    assert.equal(await store.get('profile:x'), null);
    assert.equal(await store.get('revocation:y'), null);
    assert.deepEqual(await store.getMany(['counter:a', 'counter:b', 'counter:c']), ['1', '1', '1']);
  });

  it('an evictable entry written again without the flag (a revocation mark) is no longer dropped', async () => {
    store = new MemoryAtomicStore(3);
    await store.setIfAbsent('revocation:jti:x', '0', MINUTE, { evictable: true });
    await store.set('revocation:jti:x', '1', MINUTE);
    await store.increment('counter:a', MINUTE);
    await store.increment('counter:b', MINUTE);

    await assert.rejects(store.increment('counter:c', MINUTE), StoreUnavailableError);
    assert.equal(await store.get('revocation:jti:x'), '1');
  });

  it('keeps a mark written with evictableAfterMs while it is young: a full store refuses the new key', async () => {
    store = new MemoryAtomicStore(3);
    for (const jti of ['a', 'b', 'c']) {
      await store.set(`revocation:jti:${jti}`, '1', MINUTE, { evictableAfterMs: MINUTE });
    }

    await assert.rejects(store.increment('login-failures:x', MINUTE), StoreUnavailableError);
    assert.deepEqual(
      await store.getMany(['revocation:jti:a', 'revocation:jti:b', 'revocation:jti:c']),
      ['1', '1', '1'],
    );
  });

  it('drops the oldest mark once its evictableAfterMs has passed, and never a counter', async () => {
    store = new MemoryAtomicStore(3);
    await store.increment('login-failures:victim', MINUTE);
    await store.set('revocation:jti:old', '1', MINUTE, { evictableAfterMs: 20 });
    await sleep(40);
    await store.set('revocation:jti:young', '1', MINUTE, { evictableAfterMs: 20 });

    await store.set('revocation:jti:new', '1', MINUTE, { evictableAfterMs: 20 });

    assert.equal(await store.get('revocation:jti:old'), null, 'the settled mark made room');
    assert.equal(await store.get('revocation:jti:young'), '1');
    assert.equal(await store.get('revocation:jti:new'), '1');
    assert.equal(await store.get('login-failures:victim'), '1');
    await assert.rejects(store.increment('login-failures:other', MINUTE), StoreUnavailableError);
  });

  it('a mark written again as a plain value is no longer dropped', async () => {
    store = new MemoryAtomicStore(2);
    await store.set('revocation:jti:x', '1', MINUTE, { evictableAfterMs: 1 });
    await store.set('revocation:jti:x', '1', MINUTE);
    await store.increment('counter:a', MINUTE);
    await sleep(10);

    await assert.rejects(store.increment('counter:b', MINUTE), StoreUnavailableError);
    assert.equal(await store.get('revocation:jti:x'), '1');
  });

  it('makes room from expired entries before refusing', async () => {
    store = new MemoryAtomicStore(3);
    for (const key of ['a', 'b', 'c']) await store.increment(`counter:${key}`, 20);
    await sleep(40);

    assert.equal(await store.increment('counter:d', MINUTE), 1);
    assert.equal(await store.get('counter:d'), '1');
  });

  it('still updates the keys it holds when full', async () => {
    store = new MemoryAtomicStore(3);
    for (const key of ['a', 'b', 'c']) await store.increment(`counter:${key}`, MINUTE);

    assert.equal(await store.increment('counter:a', MINUTE), 2);
    await store.set('counter:b', '7', MINUTE);
    await store.expire('counter:c', 2 * MINUTE);
    assert.deepEqual(await store.getMany(['counter:a', 'counter:b']), ['2', '7']);
    assert.ok((await store.ttl('counter:c')) > MINUTE);
    await store.delete('counter:c');
    assert.equal(await store.increment('counter:d', MINUTE), 1, 'a deleted key frees its room');
  });
});
