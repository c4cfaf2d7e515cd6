import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AtomicStore } from '../../src/state/atomic-store.js';
import { RedisMonitor, type MonitoredCommand } from '../support/redis-monitor.js';
import { RedisServer } from '../support/redis-server.js';
import {
  loggedInAccount,
  Paths,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';
import { createTestStorage, type TestStorage } from '../support/test-storage.js';

/** Requests measured in a row. */
const REQUESTS = 20;

/**
 * What `GET me/` costs Redis, read from the `MONITOR` feed of a Redis server of this test's own
 * (PostgreSQL as in the scaled profile): once a client's token is known to the instance, each
 * request is one round trip, a single MGET of the token's revocation facts and the cached
 * profile, never a second command.
 */
describe('GET me/ on Redis: one round trip per request', () => {
  let smtp: SmtpSink;
  let redis: RedisServer;
  let storage: TestStorage;
  let app: TestApp;
  let monitor: RedisMonitor;

  before(async () => {
    smtp = await new SmtpSink().start();
    redis = await RedisServer.start();
    storage = await createTestStorage('scaled');
    app = await TestApp.start(sessionEnv(smtp, { REDIS_URL: redis.url }), { storage });
    monitor = await RedisMonitor.start(redis.port);
  });
  after(async () => {
    monitor?.stop();
    await app?.close();
    await redis?.stop();
    await smtp?.stop();
  });

  /** The commands the app sent to Redis while `requests` ran, its keep-alive PINGs left out. */
  async function commandsOf(requests: () => Promise<void>): Promise<MonitoredCommand[]> {
    const from = await monitor.mark();
    await requests();
    const to = await monitor.mark();
    return monitor.between(from, to).filter((command) => command.name !== 'ping');
  }

  async function getMe(access: string, email: string, fullName: string): Promise<void> {
    const response = await app.get<SessionBody>(Paths.me, { token: access });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.email, email);
    assert.equal(response.body.full_name, fullName);
  }

  function describeCommands(commands: MonitoredCommand[]): string {
    return commands.map((command) => [command.name, ...command.args].join(' ')).join('\n');
  }

  it('steady state: exactly one MGET per request, of the revocation facts and the profile', async () => {
    const { user, tokens } = await loggedInAccount(app, smtp);
    const { id: userId, email, full_name: fullName } = user;
    const prefix = storage.env.REDIS_KEY_PREFIX!;
    // The first requests verify the token and fill the cache.
    for (let i = 0; i < 3; i++) await getMe(tokens.access, email, fullName);

    const commands = await commandsOf(async () => {
      for (let i = 0; i < REQUESTS; i++) await getMe(tokens.access, email, fullName);
    });

    assert.equal(
      commands.length,
      REQUESTS,
      `${REQUESTS} requests sent ${commands.length} commands:\n${describeCommands(commands)}`,
    );
    for (const command of commands) {
      assert.equal(command.name, 'mget', describeCommands([command]));
      assert.equal(command.args.length, 4, describeCommands([command]));
      assert.ok(command.args[0].startsWith(`${prefix}revocation:generation:${userId}:`));
      assert.ok(command.args[1].startsWith(`${prefix}revocation:family:`));
      assert.ok(command.args[2].startsWith(`${prefix}revocation:jti:`));
      assert.equal(command.args[3], `${prefix}profile:${userId}`);
    }
    assert.equal(new Set(commands.map((command) => command.client)).size, 1);
  });

  it('a profile missing from the cache is read from the database and put back only if still absent; a rename is seen at once', async () => {
    const { user, tokens } = await loggedInAccount(app, smtp);
    const { id: userId, email, full_name: fullName } = user;
    const profileKey = `${storage.env.REDIS_KEY_PREFIX!}profile:${userId}`;
    for (let i = 0; i < 3; i++) await getMe(tokens.access, email, fullName);

    await app.provider(AtomicStore).delete(`profile:${userId}`);
    const refill = await commandsOf(() => getMe(tokens.access, email, fullName));
    assert.deepEqual(
      refill.map((command) => command.name),
      ['mget', 'set'],
      describeCommands(refill),
    );
    const [, fill] = refill;
    assert.equal(fill.args[0], profileKey);
    assert.ok(
      fill.args.includes('NX'),
      `the fill is not set-if-absent: ${describeCommands([fill])}`,
    );

    const steady = await commandsOf(() => getMe(tokens.access, email, fullName));
    assert.deepEqual(
      steady.map((command) => command.name),
      ['mget'],
      describeCommands(steady),
    );

    const renamed = await app.request<SessionBody>('PATCH', Paths.me, {
      token: tokens.access,
      body: { full_name: 'Renamed Person' },
    });
    assert.equal(renamed.status, 200, renamed.text);
    await getMe(tokens.access, email, 'Renamed Person');
  });
});
