import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { confirmThroughOutbox } from '../support/registration.js';
import { ServiceProcess } from '../support/service-process.js';
import { Paths as SessionPaths, type TokenPairBody } from '../support/session-helpers.js';

/**
 * SPEC 2026-12-06: durations take any value from 1 s unless a row states a minimum. The service
 * as an operator starts it, with a 2-second access token: it starts, and the token it hands out
 * stops working 2 seconds later.
 */
describe('JWT_ACCESS_TTL=2s (the service process)', () => {
  let dir: string;
  let service: ServiceProcess;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-short-ttl-'));
    service = await ServiceProcess.start(
      { JWT_ACCESS_TTL: '2s', DATABASE_URL: `sqlite:${join(dir, 'otp-auth.sqlite')}` },
      dir,
    );
  });
  after(async () => {
    await service.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts, logs in with expires_in 2, and the access token expires', async () => {
    const account = await confirmThroughOutbox(service);

    const login = await service.post<TokenPairBody>(SessionPaths.login, {
      email: account.email,
      password: account.password,
    });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.expires_in, 2);
    const access = login.body.access;
    assert.equal((await service.get(SessionPaths.me, { token: access })).status, 200);

    // `exp` is in whole seconds: past 3 s the token has expired whatever the rounding.
    await sleep(3_100);

    const expired = await service.get(SessionPaths.me, { token: access });
    assert.equal(expired.status, 401, expired.text);
  });
});
