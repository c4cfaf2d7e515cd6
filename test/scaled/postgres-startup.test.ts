import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceProcess } from '../support/service-process.js';
import {
  createPostgresDatabase,
  deleteRedisKeys,
  TEST_POSTGRES_URL,
  TEST_REDIS_URL,
} from '../support/test-storage.js';

/**
 * A refused start ends well within this. TypeORM's retries alone took 27 s (nine waits of 3 s);
 * the rest is loading the modules, which takes several seconds on a busy machine.
 */
const FAIL_FAST_MS = 20_000;
const IN_PROCESS_WARNING =
  /WARN .*PostgreSQL without REDIS_URL: .*several instances would not share/;

/** The service process against the local PostgreSQL server (TEST_POSTGRES_URL). */
describe('starting on PostgreSQL (the service process)', { concurrency: true }, () => {
  let dir: string;
  const cleanups: (() => Promise<void>)[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-pg-start-'));
  });
  after(async () => {
    // Last in, first out: each service stops before its database is dropped.
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The URL of a database of the local server that nobody created. */
  const missingDatabaseUrl = (name: string) => {
    const url = new URL(TEST_POSTGRES_URL);
    url.pathname = `/${name}`;
    return url.toString();
  };

  it('a database that does not exist: one line saying to create it, exit 1, fast', async () => {
    const name = `otp_auth_missing_${randomBytes(4).toString('hex')}`;
    const started = Date.now();
    const service = ServiceProcess.launch({ DATABASE_URL: missingDatabaseUrl(name) }, dir);

    const exit = await service.exited;
    const elapsed = Date.now() - started;

    assert.deepEqual(exit, { code: 1, signal: null }, service.output);
    assert.ok(elapsed < FAIL_FAST_MS, `took ${elapsed} ms:\n${service.output}`);
    const lines = service.output.split('\n').filter((line) => line.trim() !== '');
    assert.deepEqual(lines, [
      `otp-auth failed to start: database "${name}" does not exist — create it first (createdb ${name})`,
    ]);
  });

  it('without REDIS_URL: starts, with one warning that several instances would not share state', async () => {
    const database = await createPostgresDatabase(
      `otp_auth_no_redis_${randomBytes(4).toString('hex')}`,
    );
    cleanups.push(() => database.drop());
    const service = await ServiceProcess.start({ DATABASE_URL: database.url }, dir);
    cleanups.push(async () => void (await service.stop()));

    assert.equal((await service.get('/health')).status, 200);
    const warnings = service.output.split('\n').filter((line) => IN_PROCESS_WARNING.test(line));
    assert.equal(warnings.length, 1, service.output);
    assert.match(warnings[0], /rate limits, pending registrations and the revocation cache/);
  });

  it('with REDIS_URL: no such warning', async () => {
    const id = randomBytes(4).toString('hex');
    const database = await createPostgresDatabase(`otp_auth_redis_${id}`);
    const keyPrefix = `otp-auth-pg-start:${id}:`;
    cleanups.push(async () => {
      await database.drop();
      await deleteRedisKeys(TEST_REDIS_URL, keyPrefix);
    });
    const service = await ServiceProcess.start(
      { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: keyPrefix },
      dir,
    );
    cleanups.push(async () => void (await service.stop()));

    assert.equal((await service.get('/health')).status, 200);
    assert.doesNotMatch(service.output, /REDIS_URL/);
  });
});
