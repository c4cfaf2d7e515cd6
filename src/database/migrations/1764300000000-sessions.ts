import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/**
 * The `sessions` table: one row per login (token family), for the list of a user's sessions.
 * Indexed for what reads it: the list walks one user's rows newest first
 * (`user_id, created_at`), pruning deletes by `expires_at`. Logins are rare next to refreshes, and
 * a refresh writes here at most once a minute per session, so two indices cost little.
 */
export class Sessions1764300000000 implements MigrationInterface {
  name = 'Sessions1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Instants as in the other tables since TimestampsWithTimeZone1764100000000.
    const instant = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'token_generation', type: 'integer' },
          { name: 'created_at', type: instant },
          { name: 'last_used_at', type: instant },
          { name: 'expires_at', type: instant },
          { name: 'ip', type: 'varchar', length: '45' },
          { name: 'user_agent', type: 'varchar', length: '512' },
          { name: 'label', type: 'varchar', length: '64' },
          { name: 'revoked_at', type: instant, isNullable: true },
        ],
      }),
    );
    // One after the other: see createIndicesInTurn in the initial schema.
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({
        name: 'IDX_sessions_user_id_created_at',
        columnNames: ['user_id', 'created_at'],
      }),
    );
    await queryRunner.createIndex(
      'sessions',
      new TableIndex({ name: 'IDX_sessions_expires_at', columnNames: ['expires_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sessions');
  }
}
