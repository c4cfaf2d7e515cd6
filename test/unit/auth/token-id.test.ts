import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTokenId } from '../../../src/auth/tokens/token-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newTokenId', () => {
  it('gives UUIDv7s, all different, in the order they were made', () => {
    const ids = Array.from({ length: 10_000 }, () => newTokenId());
    for (const id of ids) assert.match(id, UUID_V7);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual([...ids].sort(), ids);
  });

  it('carries the current time in its first 48 bits', () => {
    const before = Date.now();
    const id = newTokenId();
    const millis = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    assert.ok(millis >= before && millis <= Date.now(), `${millis} outside [${before}, now]`);
  });
});
