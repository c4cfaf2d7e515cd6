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

  for (const path of [Paths.register, Paths.confirmOtp, Paths.verifyOtp, Paths.resendOtp]) {
    it(`${path}: past ${LIMIT} requests a minute, 429 with Retry-After in seconds`, async () => {
      const body = { email: freshEmail(), otp: '123456' };
      for (let request = 1; request <= LIMIT; request++) {
        const response = await app.post(path, body);
        assert.notEqual(response.status, 429, `request ${request} was limited`);
      }

      const limited = await app.post(path, body);

      assertError(limited, 429);
      assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      assert.ok(Number(limited.headers.get('retry-after')) <= 60);
    });
  }
});
