import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopbackAddress } from '../../../src/common/net/loopback-address.js';

describe('isLoopbackAddress', () => {
  for (const address of [
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
  ]) {
    it(`${address} is loopback`, () => assert.equal(isLoopbackAddress(address), true));
  }

  for (const address of [
    '192.0.2.2',
    '10.0.0.1',
    '::ffff:192.0.2.2',
    'fe80::1',
    '::',
    '0.0.0.0',
    '128.0.0.1',
    'localhost',
    '',
  ]) {
    it(`${address || '(empty)'} is not`, () => assert.equal(isLoopbackAddress(address), false));
  }
});
