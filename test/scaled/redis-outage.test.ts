import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  assertUnavailable,
  assertHealthDown,
  waitUntilHealthy,
  type HealthBody,
} from '../support/outage.js';
import { RedisServer } from '../support/redis-server.js';
import {
  freshEmail,
  freshPassword,
  loggedInAccount,
  login,
  meStatus,
  Paths,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';
import { createTestStorage, type TestStorage } from '../support/test-storage.js';

/** Puts a line into the test's output (a TAP diagnostic). */
const report = (t: TestContext) => (line: string) => t.diagnostic(line);

/** A request that needs Redis answers 503 within this when Redis refuses connections... */
const REFUSED_BOUND_MS = 1_500;
/** ...and within this when it hangs (the store's deadline is 2 s). */
const HANG_BOUND_MS = 5_000;

/**
 * Redis stopped (killed, or frozen) under a running service, on a Redis server of this test's own.
 * PostgreSQL stays up. Each test starts its own app, with Redis up unless it says otherwise.
 */
describe('Redis outage', () => {
  let smtp: SmtpSink;
  let redis: RedisServer;
  let storage: TestStorage;
  let app: TestApp | undefined;

  before(async () => {
    smtp = await new SmtpSink().start();
    redis = await RedisServer.start();
    storage = await createTestStorage('scaled');
  });
  after(async () => {
    await redis.stop();
    await storage.remove();
    await smtp.stop();
  });

  async function startApp(): Promise<TestApp> {
    app = await TestApp.start(sessionEnv(smtp, { REDIS_URL: redis.url }), { storage });
    return app;
  }
  /** Brings Redis back whatever the test did, and stops the test's app. */
  async function cleanUp(): Promise<void> {
    redis.resume();
    await redis.restart().catch(() => undefined);
    assert.doesNotMatch(app?.logger.text() ?? '', /Unhandled error/, 'a request failed with 500');
    await app?.close({ keepData: true });
    app = undefined;
  }

  it('killed: every request that needs it gets 503 at once, /health names the cache, no token is accepted unchecked; the service recovers by itself', async (t) => {
    try {
      const service = await startApp();
      const { email, password, tokens } = await loggedInAccount(service, smtp);
      const loggedOut = await login(service, email, password);
      const logout = await service.post<SessionBody>(
        Paths.logout,
        { refresh_token: loggedOut.refresh },
        { token: loggedOut.access },
      );
      assert.equal(logout.status, 200, logout.text);
      assert.equal(await meStatus(service, tokens.access), 200);

      await redis.stop();

      // The token's answers were cached in Redis; without it the check cannot run: 503, not 200.
      await assertUnavailable(
        'GET me with a valid token',
        () => service.get(Paths.me, { token: tokens.access }),
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
        () => service.post(Paths.refresh, { refresh: tokens.refresh }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'register',
        () =>
          service.post(Paths.register, {
            email: freshEmail(),
            password: freshPassword(),
            full_name: 'Grace Hopper',
          }),
        REFUSED_BOUND_MS,
        report(t),
      );
      await assertHealthDown(service, 'cache', 'database', REFUSED_BOUND_MS, report(t));

      // Back, empty: what it held is gone, and the database still knows every revocation.
      await redis.restart();
      t.diagnostic(
        `healthy again ${Math.round(await waitUntilHealthy(service))} ms after Redis came back`,
      );
      assert.equal(await meStatus(service, tokens.access), 200);
      assert.equal(await meStatus(service, loggedOut.access), 401, 'a revocation was forgotten');
      await login(service, email, password);
    } finally {
      await cleanUp();
    }
  });

  it('frozen (connections open, no answer): 503 within a bounded time instead of a hang; recovers when it answers again', async (t) => {
    try {
      const service = await startApp();
      const { email, password, tokens } = await loggedInAccount(service, smtp);

      redis.pause();

      await assertUnavailable(
        'GET me with a valid token',
        () => service.get(Paths.me, { token: tokens.access }),
        HANG_BOUND_MS,
        report(t),
      );
      await assertUnavailable(
        'login',
        () => service.post(Paths.login, { email, password }),
        HANG_BOUND_MS,
        report(t),
      );
      await assertHealthDown(service, 'cache', 'database', HANG_BOUND_MS, report(t));

      redis.resume();
      t.diagnostic(
        `healthy again ${Math.round(await waitUntilHealthy(service))} ms after Redis came back`,
      );
      assert.equal(await meStatus(service, tokens.access), 200);
      await login(service, email, password);
    } finally {
      await cleanUp();
    }
  });

  it('down when the service starts: it starts anyway, answers 503 until Redis is there, then serves', async (t) => {
    try {
      await redis.stop();
      const service = await startApp();

      const health = await service.get<HealthBody>('/health');
      assert.equal(health.status, 503, health.text);
      assert.equal(health.body.details?.cache?.status, 'down', health.text);
      await assertUnavailable(
        'register',
        () =>
          service.post(Paths.register, {
            email: freshEmail(),
            password: freshPassword(),
            full_name: 'Grace Hopper',
          }),
        REFUSED_BOUND_MS,
        report(t),
      );

      await redis.restart();
      t.diagnostic(
        `healthy again ${Math.round(await waitUntilHealthy(service))} ms after Redis came back`,
      );
      const { tokens } = await loggedInAccount(service, smtp);
      assert.equal(await meStatus(service, tokens.access), 200);
    } finally {
      await cleanUp();
    }
  });
});
