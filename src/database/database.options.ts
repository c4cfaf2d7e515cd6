import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sqlite3 from 'sqlite3';
import type { DataSourceOptions } from 'typeorm';
import type { DatabaseOptions } from '../config/otp-auth-options.js';
import { OTP_AUTH_ENTITIES, OTP_AUTH_MIGRATIONS } from './otp-auth.schema.js';

/**
 * The sqlite3 module as TypeORM should get it. TypeORM calls `sqlite3.verbose()`, which wraps
 * every database call to build long stack traces: a `new Error()` and a `util.inspect` of the SQL
 * and of every parameter, on each query, on the event loop. A handle whose `verbose()` returns
 * the plain module keeps that cost (a tenth of a refresh's CPU time) off the hot path.
 */
const sqliteDriver = { ...sqlite3, verbose: () => sqlite3 };

/** How long a query may wait for a connection or a lock before failing (→ 503). */
const DATABASE_TIMEOUT_MS = 5_000;

/**
 * TypeORM options for the standalone service: migrations, never `synchronize` (the service runs
 * them at startup with `runPendingMigrations`, the CLI with `npm run migration:run`); SQLite in
 * WAL mode so that readers do not wait for the writer.
 */
export function buildDataSourceOptions(database: DatabaseOptions): DataSourceOptions {
  const common = {
    entities: OTP_AUTH_ENTITIES,
    migrations: OTP_AUTH_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    // No 'error': TypeORM would print a failed query with its parameters, a password hash
    // among them. Failed queries surface as exceptions, logged by the exception filter.
    logging: ['warn', 'migration'] as const,
  };
  if (database.type === 'sqlite') {
    if (database.path !== ':memory:') mkdirSync(dirname(database.path), { recursive: true });
    return {
      ...common,
      type: 'sqlite',
      driver: sqliteDriver,
      database: database.path,
      enableWAL: true,
      busyTimeout: DATABASE_TIMEOUT_MS,
      logging: ['warn', 'migration'],
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: database.url,
    connectTimeoutMS: DATABASE_TIMEOUT_MS,
    extra: { max: 10, query_timeout: DATABASE_TIMEOUT_MS, statement_timeout: DATABASE_TIMEOUT_MS },
    logging: ['warn', 'migration'],
  };
}
