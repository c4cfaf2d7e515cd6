import { SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SkipThrottle, Throttle } from '@nestjs/throttler';
import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { RememberingReflector } from '../../../src/common/http/ip-rate-limit.guard.js';

@SetMetadata('scope', 'controller')
class Controller {
  @SetMetadata('scope', 'handler')
  @Throttle({ default: { limit: 3, ttl: 1000 } })
  limited(this: void): void {}

  @SkipThrottle()
  skipped(this: void): void {}

  plain(this: void): void {}
}

const handlers = Controller.prototype;
const KEYS = ['scope', 'THROTTLER:LIMITdefault', 'THROTTLER:TTLdefault', 'THROTTLER:SKIPdefault'];

describe('RememberingReflector (route metadata for the per-IP rate limit)', () => {
  afterEach(() => mock.restoreAll());

  it("answers as Nest's Reflector does, for every key, handler and controller", () => {
    const plain = new Reflector();
    const remembering = new RememberingReflector();
    for (const handler of [handlers.limited, handlers.skipped, handlers.plain]) {
      for (const key of KEYS) {
        const expected: unknown = plain.getAllAndOverride(key, [handler, Controller]);
        // Twice: the remembered answer is the same as the first.
        assert.deepEqual(remembering.getAllAndOverride(key, [handler, Controller]), expected);
        assert.deepEqual(remembering.getAllAndOverride(key, [handler, Controller]), expected);
      }
    }
    // What the fixtures state, so that the comparison above is not between two undefineds.
    assert.equal(remembering.getAllAndOverride('scope', [handlers.limited, Controller]), 'handler');
    assert.equal(
      remembering.getAllAndOverride('scope', [handlers.plain, Controller]),
      'controller',
    );
    assert.equal(
      remembering.getAllAndOverride('THROTTLER:LIMITdefault', [handlers.limited, Controller]),
      3,
    );
    assert.equal(
      remembering.getAllAndOverride('THROTTLER:SKIPdefault', [handlers.skipped, Controller]),
      true,
    );
    assert.equal(
      remembering.getAllAndOverride('THROTTLER:SKIPdefault', [handlers.plain, Controller]),
      undefined,
    );
  });

  it('reads the metadata of a handler and controller once, absent values included', () => {
    const remembering = new RememberingReflector();
    const reads = mock.method(Reflect, 'getMetadata');
    const throttlerName = ['de', 'fault'].join('');
    for (let request = 0; request < 5; request++) {
      // Built anew on every call, as ThrottlerGuard builds its keys: found by its value.
      const key = 'THROTTLER:SKIP' + throttlerName;
      assert.equal(remembering.getAllAndOverride(key, [handlers.plain, Controller]), undefined);
      assert.equal(remembering.getAllAndOverride(key, [handlers.skipped, Controller]), true);
    }
    // Per route, on the first request only: absent on the plain handler, then on the controller
    // (two reads); found on the skipped handler (one).
    assert.equal(reads.mock.callCount(), 3);
  });

  it('reads every time for other shapes of targets', () => {
    const remembering = new RememberingReflector();
    const reads = mock.method(Reflect, 'getMetadata');
    remembering.getAllAndOverride('scope', [handlers.limited]);
    remembering.getAllAndOverride('scope', [handlers.limited]);
    assert.equal(reads.mock.callCount(), 2);
  });
});
