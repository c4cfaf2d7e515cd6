import { DataSource } from 'typeorm';
import type { DatabaseOptions } from '../config/otp-auth-options.js';

/** PostgreSQL's SQLSTATE for a database name that does not exist (`invalid_catalog_name`). */
const DATABASE_DOES_NOT_EXIST = '3D000';
const PREFLIGHT_TIMEOUT_MS = 5_000;

/**
 * Stops the start at once, with one line saying what to do, when `DATABASE_URL` names a
 * PostgreSQL database that does not exist: TypeORM would retry for half a minute, printing a
 * stack trace each time, for a problem no retry fixes. Any other failure (the server still
 * starting, the network) is left to TypeORM's retries, which may outlast it.
 */
export async function assertDatabaseExists(database: DatabaseOptions): Promise<void> {
  if (database.type !== 'postgres') return;
  const probe = new DataSource({
    type: 'postgres',
    url: database.url,
    connectTimeoutMS: PREFLIGHT_TIMEOUT_MS,
    extra: { max: 1 },
  });
  try {
    await probe.initialize();
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code !== DATABASE_DOES_NOT_EXIST) return;
    const name =
      /database "(.+)" does not exist/.exec(message ?? '')?.[1] ??
      decodeURIComponent(new URL(database.url).pathname.slice(1));
    throw new Error(`database "${name}" does not exist — create it first (createdb ${name})`, {
      cause: error,
    });
  } finally {
    if (probe.isInitialized) await probe.destroy();
  }
}
