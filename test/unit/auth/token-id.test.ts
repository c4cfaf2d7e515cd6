import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTokenId } from '../../../src/auth/tokens/token-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newTokenId', () => {
  it('gives UUIDv7s, all different, ordered by the millisecond they were made in', () => {
    const ids = Array.from({ length: 10_000 }, () => newTokenId());
    for (const id of ids) assert.match(id, UUID_V7);
    assert.equal(new Set(ids).size, ids.length);
    const millis = ids.map(millisOf);
    assert.deepEqual(
      [...millis].sort((a, b) => a - b),
      millis,
    );
  });

  it('draws fresh random bits for every id, across refills of its pool', () => {
    const randomParts = Array.from({ length: 1_000 }, () => newTokenId().slice(-17));
    assert.equal(new Set(randomParts).size, randomParts.length);
  });

  it('carries the current time in its first 48 bits', () => {
    const before = Date.now();
    const id = newTokenId();
    const millis = millisOf(id);
    assert.ok(millis >= before && millis <= Date.now(), `${millis} outside [${before}, now]`);
  });
});

function millisOf(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}
