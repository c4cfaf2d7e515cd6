import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { withinDeadline } from '../../../src/common/within-deadline.js';

describe('withinDeadline', () => {
  it('gives the answer that comes in time', async () => {
    assert.equal(await withinDeadline(delay(5, 'answer'), 1000), 'answer');
  });

  it('passes on the failure that comes in time', async () => {
    await assert.rejects(withinDeadline(Promise.reject(new Error('refused')), 1000), /refused/);
  });

  it('rejects once the deadline passes, without waiting for the work', async () => {
    const started = performance.now();
    await assert.rejects(withinDeadline(new Promise(() => undefined), 50), {
      message: 'no answer within 50 ms',
    });
    const waited = performance.now() - started;
    assert.ok(waited >= 45 && waited < 1000, `rejected after ${waited} ms`);
  });

  it('leaves no timer behind once the work has answered', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    await withinDeadline(Promise.resolve(1), 60_000);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    assert.equal(after, before);
  });
});
