import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * `users.email_changed_at`: when the address last changed, null for never. Reset tokens carry
 * it, so that a token mailed to the previous address stops working once the address changes.
 */
export class EmailChangedAt1764400000000 implements MigrationInterface {
  name = 'EmailChangedAt1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Instants as in the other tables since TimestampsWithTimeZone1764100000000.
    const instant = queryRunner.connection.options.type === 'postgres' ? 'timestamptz' : 'datetime';
    await queryRunner.addColumn(
      'users',
      new TableColumn({ name: 'email_changed_at', type: instant, isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('users', 'email_changed_at');
  }
}
