import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { Paths, freshEmail } from '../support/registration.js';
import { TestApp } from '../support/test-app.js';

const LIMIT = 3;

describe(`the per-IP limit on the registration endpoints (RATE_LIMIT_PER_IP=${LIMIT})`, () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_IP: String(LIMIT) });
  });
  after(async () => {
    await app.close();
  });

  it(`one budget of ${LIMIT} requests a minute per IP across all of them, then 429 with Retry-After in seconds`, async () => {
    const paths = [Paths.register, Paths.confirmOtp, Paths.verifyOtp, Paths.resendOtp];
    const body = { email: freshEmail(), otp: '123456' };
    for (let request = 0; request < LIMIT; request++) {
      const response = await app.post(paths[request % paths.length], body);
      assert.notEqual(response.status, 429, `request ${request + 1} was limited`);
    }

    for (const path of paths) {
      const limited = await app.post(path, body);
      assertError(limited, 429);
      assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.ok(Number(limited.headers.get('retry-after')) <= 60);
    }
  });
});
