import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BoundedMap } from '../../../src/common/bounded-map.js';

describe('BoundedMap', () => {
  it('forgets the oldest key when a new one is added to a full map', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('c', 3);
    assert.deepEqual(
      [...map],
      [
        ['b', 2],
        ['c', 3],
      ],
    );
  });

  it('replacing the value of a key it holds forgets nothing', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2).set('a', 3);
    assert.deepEqual(
      [...map],
      [
        ['a', 3],
        ['b', 2],
      ],
    );
  });
});
