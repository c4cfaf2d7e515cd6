import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboxLocation } from '../../../src/bootstrap/startup-report.js';

describe('outboxLocation', () => {
  it('names 127.0.0.1 when listening on every interface or on it', () => {
    for (const host of ['0.0.0.0', '::', '127.0.0.1']) {
      assert.equal(
        outboxLocation(host, 3000),
        'Development outbox: http://127.0.0.1:3000/dev/outbox',
      );
    }
  });

  it('names the loopback address or name it listens on', () => {
    assert.equal(outboxLocation('::1', 3000), 'Development outbox: http://[::1]:3000/dev/outbox');
    assert.equal(
      outboxLocation('localhost', 8080),
      'Development outbox: http://localhost:8080/dev/outbox',
    );
  });

  it('says so when no loopback client can reach it', () => {
    assert.match(
      outboxLocation('192.0.2.2', 3000),
      /^Development outbox: answers loopback clients only, and HOST=192\.0\.2\.2 is not loopback/,
    );
  });
});
