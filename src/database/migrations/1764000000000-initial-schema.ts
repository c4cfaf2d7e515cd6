import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

/** Users, the token blacklist and revoked token families; the same schema on SQLite and PostgreSQL. */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    const timestamp = postgres ? 'timestamp' : 'datetime';
    const now = postgres ? 'now()' : "datetime('now')";

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'email', type: 'varchar', length: '254', isUnique: true },
          { name: 'full_name', type: 'varchar', length: '150' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'is_active', type: 'boolean', default: true },
          { name: 'date_joined', type: timestamp },
          { name: 'password_changed_at', type: timestamp },
          { name: 'token_generation', type: 'integer', default: 0 },
          { name: 'updated_at', type: timestamp, default: now },
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'token_blacklist',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'jti', type: 'varchar', length: '64', isUnique: true },
          { name: 'token_type', type: 'varchar', length: '16' },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'reason', type: 'varchar', length: '32' },
          { name: 'expires_at', type: timestamp },
          { name: 'created_at', type: timestamp, default: now },
        ],
      }),
    );
    await createIndicesInTurn(queryRunner, 'token_blacklist', [
      new TableIndex({ name: 'IDX_token_blacklist_user_id', columnNames: ['user_id'] }),
      new TableIndex({ name: 'IDX_token_blacklist_expires_at', columnNames: ['expires_at'] }),
    ]);

    await queryRunner.createTable(
      new Table({
        name: 'revoked_token_families',
        columns: [
          { name: 'family_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '36' },
          { name: 'reason', type: 'varchar', length: '32' },
          { name: 'expires_at', type: timestamp },
          { name: 'created_at', type: timestamp, default: now },
        ],
      }),
    );
    await createIndicesInTurn(queryRunner, 'revoked_token_families', [
      new TableIndex({ name: 'IDX_revoked_token_families_user_id', columnNames: ['user_id'] }),
      new TableIndex({
        name: 'IDX_revoked_token_families_expires_at',
        columnNames: ['expires_at'],
      }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('revoked_token_families');
    await queryRunner.dropTable('token_blacklist');
    await queryRunner.dropTable('users');
  }
}

/**
 * Creates the indices one after the other. TypeORM's `createIndices()` creates them in parallel,
 * and on SQLite one of them may then read the table's schema while another is half created,
 * which fails the migration now and then ("Cannot read properties of undefined (reading 'sql')").
 */
async function createIndicesInTurn(
  queryRunner: QueryRunner,
  table: string,
  indices: TableIndex[],
): Promise<void> {
  for (const index of indices) await queryRunner.createIndex(table, index);
}
