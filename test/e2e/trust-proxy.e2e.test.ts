import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { freshEmail, Paths } from '../support/session-helpers.js';
import { TestApp } from '../support/test-app.js';

const LIMIT = 4;
/** The client a proxy saw, and appended to whatever the client wrote. */
const REAL_CLIENT = '203.0.113.7';
const OTHER_CLIENT = '203.0.113.8';

/** An address the client makes up, different on every request. */
function spoofed(): string {
  return `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** A public POST endpoint under the per-IP limit, sent with `X-Forwarded-For: forwardedFor`. */
function forgotPassword(app: TestApp, forwardedFor: string) {
  return app.post(
    Paths.forgotPassword,
    { email: freshEmail() },
    { headers: { 'x-forwarded-for': forwardedFor } },
  );
}

/**
 * Sends `LIMIT` requests that must pass, then one that must get 429: each with the
 * `X-Forwarded-For` that `header()` makes.
 */
async function assertLimitedAfterLimit(app: TestApp, header: () => string): Promise<void> {
  for (let request = 1; request <= LIMIT; request++) {
    const response = await forgotPassword(app, header());
    assert.equal(response.status, 200, `request ${request}: ${response.text}`);
  }
  assertError(await forgotPassword(app, header()), 429);
}

/** The test suite for one value of TRUST_PROXY, on an app of its own. */
function withTrustProxy(trustProxy: string | undefined, tests: (app: () => TestApp) => void) {
  describe(`TRUST_PROXY=${trustProxy ?? '(unset)'}`, () => {
    let app: TestApp;
    before(async () => {
      app = await TestApp.start({
        RATE_LIMIT_PER_IP: String(LIMIT),
        ...(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }),
      });
    });
    after(async () => {
      await app.close();
    });
    tests(() => app);
  });
}

// The test client is the proxy: it connects from 127.0.0.1 and sends what a proxy appending the
// real client's address would, after entries the client wrote itself.
describe(`the per-IP limit (RATE_LIMIT_PER_IP=${LIMIT}) behind proxies: a client-written X-Forwarded-For entry never moves it`, () => {
  withTrustProxy('1', (app) => {
    it(`one proxy: "<spoofed>, ${REAL_CLIENT}" all count against ${REAL_CLIENT}, 429 after the limit`, async () => {
      await assertLimitedAfterLimit(app(), () => `${spoofed()}, ${REAL_CLIENT}`);

      // The budget is the real client's, not everyone's.
      const other = await forgotPassword(app(), `${spoofed()}, ${OTHER_CLIENT}`);
      assert.equal(other.status, 200, other.text);
    });
  });

  withTrustProxy('10.0.0.0/8,127.0.0.1', (app) => {
    it(`the proxy named by address: "<spoofed>, ${REAL_CLIENT}" all count against ${REAL_CLIENT}`, async () => {
      await assertLimitedAfterLimit(app(), () => `${spoofed()}, ${REAL_CLIENT}`);

      const other = await forgotPassword(app(), `${spoofed()}, ${OTHER_CLIENT}`);
      assert.equal(other.status, 200, other.text);
    });
  });

  withTrustProxy('10.0.0.0/8', (app) => {
    it('a peer that is not one of the named proxies: its X-Forwarded-For is ignored', async () => {
      await assertLimitedAfterLimit(app(), () => `${spoofed()}, ${spoofed()}`);
    });
  });

  withTrustProxy(undefined, (app) => {
    it('no proxy trusted: rotating X-Forwarded-For values do not escape the limit', async () => {
      let turn = 0;
      await assertLimitedAfterLimit(app(), () =>
        ++turn % 2 === 0 ? spoofed() : `${spoofed()}, ${REAL_CLIENT}`,
      );
    });
  });
});
