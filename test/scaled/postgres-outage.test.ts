import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it, type TestContext } from 'node:test';
import { assertUnavailable, assertHealthDown, waitUntilHealthy } from '../support/outage.js';
import { PostgresServer } from '../support/postgres-server.js';
import {
  freshEmail,
  freshPassword,
  loggedInAccount,
  login,
  meStatus,
  Messages,
  Paths,
  registerAndConfirm,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';
import { deleteRedisKeys, TEST_REDIS_URL } from '../support/test-storage.js';

/** A request that needs the database answers 503 within this when it refuses connections... */
const REFUSED_BOUND_MS = 2_000;
/** ...and within this when it hangs (connect and query timeouts are 5 s). */
const HANG_BOUND_MS = 8_000;

const report = (t: TestContext) => (line: string) => t.diagnostic(line);

/**
 * PostgreSQL stopped (the hard way, or frozen) under a running service, on a cluster of this
 * test's own. Redis stays up. Each test starts its own app on the cluster's database.
 */
describe('PostgreSQL outage', () => {
  let smtp: SmtpSink;
  let postgres: PostgresServer;
  const keyPrefix = `otp-auth-pg-outage:${randomBytes(4).toString('hex')}:`;
  let app: TestApp | undefined;

  before(async () => {
    smtp = await new SmtpSink().start();
    postgres = await PostgresServer.start();
  });
  after(async () => {
    await postgres?.remove();
    await deleteRedisKeys(TEST_REDIS_URL, keyPrefix);
    await smtp.stop();
  });

  async function startApp(): Promise<TestApp> {
    app = await TestApp.start(
      sessionEnv(smtp, {
        DATABASE_URL: postgres.url(),
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: keyPrefix,
      }),
    );
    return app;
  }
  /** Brings PostgreSQL back whatever the test did, and stops the test's app. */
  async function cleanUp(): Promise<void> {
    postgres.resume();
    await postgres.restart().catch(() => undefined);
    assert.doesNotMatch(app?.logger.text() ?? '', /Unhandled error/, 'a request failed with 500');
    await app?.close();
    app = undefined;
  }

  it('stopped: requests that need it get 503 at once, /health names the database, no token is accepted unchecked; the pool reconnects by itself', async (t) => {
    try {
      const service = await startApp();
      const { email, password, tokens } = await loggedInAccount(service, smtp);
      // A session checked once (its answers cached in Redis), and one never checked.
      assert.equal(await meStatus(service, tokens.access), 200);
      const unchecked = await login(service, email, password);
      // A registration waiting for its code.
      const pendingEmail = freshEmail('pending');
      const register = await service.post<SessionBody>(Paths.register, {
        email: pendingEmail,
        password: freshPassword(),
        full_name: 'Grace Hopper',
      });
      assert.equal(register.status, 200, register.text);
      const otp = otpFrom(await smtp.waitForMail(pendingEmail));

      await postgres.stop();

      // A token checked before is answered from Redis: its revocation facts and the profile are
      // cached there (revocations write the cache first), so the check runs; nothing is taken
      // on trust. A token never checked needs the database for its session's facts: 503.
      assert.equal(await meStatus(service, tokens.access), 200);
      await assertUnavailable(
        'GET me, a token never checked',
        () => service.get(Paths.me, { token: unchecked.access }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'login',
        () => service.post(Paths.login, { email, password }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'refresh',
        () => service.post(Paths.refresh, { refresh: unchecked.refresh }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'logout',
        () =>
          service.post(Paths.logout, { refresh_token: tokens.refresh }, { token: tokens.access }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'confirm-otp',
        () => service.post(Paths.confirmOtp, { email: pendingEmail, otp }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertHealthDown(service, 'database', 'cache', REFUSED_BOUND_MS, report(t));

      await postgres.restart();
      t.diagnostic(
        `healthy again ${Math.round(await waitUntilHealthy(service))} ms after PostgreSQL came back`,
      );
      // What failed did not half happen: the logout can be done now, the code still confirms.
      const logout = await service.post<SessionBody>(
        Paths.logout,
        { refresh_token: tokens.refresh },
        { token: tokens.access },
      );
      assert.equal(logout.status, 200, logout.text);
      assert.equal(await meStatus(service, tokens.access), 401);
      const confirm = await service.post<SessionBody>(Paths.confirmOtp, {
        email: pendingEmail,
        otp,
      });
      assert.equal(confirm.status, 201, confirm.text);
      assert.equal(await meStatus(service, unchecked.access), 200);
      await login(service, email, password);
    } finally {
      await cleanUp();
    }
  });

  it('frozen (connections open, no answer): 503 within the database timeouts instead of a hang; recovers when it answers again', async (t) => {
    try {
      const service = await startApp();
      const { email, password, tokens } = await loggedInAccount(service, smtp);
      const unchecked = await login(service, email, password);

      postgres.pause();

      await assertUnavailable(
        'GET me, a token never checked',
        () => service.get(Paths.me, { token: unchecked.access }),
        HANG_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'login',
        () => service.post(Paths.login, { email, password }),
        HANG_BOUND_MS,
        report(t),
      );
      await assertHealthDown(service, 'database', 'cache', HANG_BOUND_MS, report(t));

      postgres.resume();
      t.diagnostic(
        `healthy again ${Math.round(await waitUntilHealthy(service))} ms after PostgreSQL went on`,
      );
      assert.equal(await meStatus(service, tokens.access), 200);
      await login(service, email, password);
      const wrong = await service.post<SessionBody>(Paths.login, {
        email,
        password: 'not the password at all',
      });
      assert.equal(wrong.body.message, Messages.invalidCredentials);
    } finally {
      await cleanUp();
    }
  });

  it('a revocation made before the outage is still honoured after it, with Redis emptied meanwhile', async () => {
    try {
      const service = await startApp();
      const account = await registerAndConfirm(service, smtp);
      const pair = await login(service, account.email, account.password);
      const logoutAll = await service.post<SessionBody>(
        Paths.logoutAll,
        {},
        { token: pair.access },
      );
      assert.equal(logoutAll.status, 200, logoutAll.text);

      await postgres.stop();
      await deleteRedisKeys(TEST_REDIS_URL, keyPrefix);
      await postgres.restart();
      await waitUntilHealthy(service);

      assert.equal(await meStatus(service, pair.access), 401);
      const refreshed = await service.post<SessionBody>(Paths.refresh, { refresh: pair.refresh });
      assert.equal(refreshed.status, 401, refreshed.text);
    } finally {
      await cleanUp();
    }
  });
});
