import { createClient } from '@keyv/redis';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { Environment } from '../../src/config/environment.js';

/**
 * Which shape of the service the tests run against (SPEC, "It runs in two shapes"):
 * - `embedded` (default, `npm test`): a SQLite file and the in-process state store;
 * - `scaled` (`TEST_PROFILE=scaled`, `npm run test:scaled`): PostgreSQL and Redis, a fresh
 *   database and key prefix per app, removed afterwards.
 */
export type TestProfile = 'embedded' | 'scaled';

export const TEST_PROFILE: TestProfile = readProfile(process.env.TEST_PROFILE);

/** The PostgreSQL server of the scaled profile: its maintenance database, as the superuser. */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** The Redis server of the scaled profile. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function readProfile(value: string | undefined): TestProfile {
  if (value === undefined || value === '' || value === 'embedded') return 'embedded';
  if (value === 'scaled') return 'scaled';
  throw new Error(`TEST_PROFILE must be embedded or scaled (got "${value}")`);
}

/**
 * Where one app under test keeps its state: the variables that point it there, and how to
 * remove it all afterwards. Several apps (instances, or one app restarted) may share one.
 */
export interface TestStorage {
  /** `DATABASE_URL`, and with Redis `REDIS_URL` and `REDIS_KEY_PREFIX`. */
  readonly env: Environment;
  /** A temporary directory of its own (the SQLite file lives there in the embedded shape). */
  readonly dir: string;
  /** What the database is, for messages: `sqlite` or `postgres`. */
  readonly database: 'sqlite' | 'postgres';
  /** Removes the database, the Redis keys and the directory. */
  remove(): Promise<void>;
}

/** New, empty storage of the given profile (the current one unless told). */
export async function createTestStorage(profile = TEST_PROFILE): Promise<TestStorage> {
  const dir = mkdtempSync(join(tmpdir(), 'otp-auth-test-'));
  if (profile === 'embedded') {
    return {
      env: { DATABASE_URL: `sqlite:${join(dir, 'otp-auth.sqlite')}` },
      dir,
      database: 'sqlite',
      remove: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    };
  }
  const id = `${process.pid}_${randomBytes(4).toString('hex')}`;
  const database = await createPostgresDatabase(`otp_auth_test_${id}`);
  const keyPrefix = `otp-auth-test:${id}:`;
  return {
    env: { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: keyPrefix },
    dir,
    database: 'postgres',
    remove: async () => {
      await database.drop();
      await deleteRedisKeys(TEST_REDIS_URL, keyPrefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new, empty PostgreSQL database on the test server; `drop()` removes it, connections and all. */
export async function createPostgresDatabase(
  name: string,
  serverUrl = TEST_POSTGRES_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** Runs one statement on the server's maintenance database (the `pg` driver, through TypeORM). */
export async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const server = new DataSource({
    type: 'postgres',
    url: serverUrl,
    connectTimeoutMS: 5_000,
    extra: { max: 1 },
  });
  await server.initialize();
  try {
    await server.query(sql);
  } finally {
    await server.destroy();
  }
}

/** Every key under `prefix`, for checks on what the app wrote. */
export async function redisKeys(redisUrl: string, prefix: string): Promise<string[]> {
  return withRedis(redisUrl, async (client) => {
    const keys: string[] = [];
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      keys.push(...batch);
    }
    return keys;
  });
}

/** Deletes every key under `prefix`. */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  await withRedis(redisUrl, async (client) => {
    for await (const batch of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (batch.length > 0) await client.unlink(batch);
    }
  });
}

/** A short-lived connection to the test Redis. */
function connectRedis(redisUrl: string) {
  return createClient({ url: redisUrl, socket: { connectTimeout: 5_000 } });
}

async function withRedis<T>(
  redisUrl: string,
  use: (client: ReturnType<typeof connectRedis>) => Promise<T>,
): Promise<T> {
  const client = connectRedis(redisUrl);
  await client.connect();
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
