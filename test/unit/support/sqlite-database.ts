import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { OTP_AUTH_ENTITIES, OTP_AUTH_MIGRATIONS } from '../../../src/database/otp-auth.schema.js';

/** A migrated database of otp-auth's schema in a SQLite file of its own, and its removal. */
export interface SqliteDatabase {
  dataSource: DataSource;
  remove(): Promise<void>;
}

/** Opens a fresh SQLite file (in a temporary directory) with every migration run. */
export async function openSqliteDatabase(): Promise<SqliteDatabase> {
  const directory = mkdtempSync(join(tmpdir(), 'otp-auth-unit-'));
  const dataSource = await new DataSource({
    type: 'sqlite',
    database: join(directory, 'db.sqlite'),
    entities: OTP_AUTH_ENTITIES,
    migrations: OTP_AUTH_MIGRATIONS,
    migrationsRun: true,
    logging: false,
  }).initialize();
  return {
    dataSource,
    async remove() {
      await dataSource.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
