import { MigrationInterface, QueryRunner } from 'typeorm';

/** The PostgreSQL columns that hold an instant. */
const TIMESTAMP_COLUMNS: Record<string, string[]> = {
  users: ['date_joined', 'password_changed_at', 'updated_at'],
  token_blacklist: ['expires_at', 'created_at'],
  revoked_token_families: ['expires_at', 'created_at'],
};

/**
 * PostgreSQL: instants as `timestamptz`. A `timestamp` without time zone keeps the wall-clock
 * time of whoever wrote it (node-postgres sends a JavaScript Date in the process's local zone,
 * `now()` gives the session's zone), so instances whose hosts are set to different zones, or a
 * zone change of one host, read another instant back: a reset token then no longer matches the
 * password's change time, and a grace period is hours off. `timestamptz` stores the instant.
 * Existing values are taken as UTC, the zone of the servers this ran on so far.
 *
 * SQLite is left alone: TypeORM already writes its `datetime` columns as UTC text.
 */
export class TimestampsWithTimeZone1764100000000 implements MigrationInterface {
  name = 'TimestampsWithTimeZone1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await alterTimestamps(queryRunner, 'timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await alterTimestamps(queryRunner, 'timestamp');
  }
}

async function alterTimestamps(
  queryRunner: QueryRunner,
  type: 'timestamptz' | 'timestamp',
): Promise<void> {
  if (queryRunner.connection.options.type !== 'postgres') return;
  for (const [table, columns] of Object.entries(TIMESTAMP_COLUMNS)) {
    const changes = columns.map(
      (column) => `ALTER COLUMN "${column}" TYPE ${type} USING "${column}" AT TIME ZONE 'UTC'`,
    );
    await queryRunner.query(`ALTER TABLE "${table}" ${changes.join(', ')}`);
  }
}
