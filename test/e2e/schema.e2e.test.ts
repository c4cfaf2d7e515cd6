import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Table } from 'typeorm';
import { TestApp } from '../support/test-app.js';

/** A column as both databases should have it: [name, type, length, nullable, primary, unique, generated, default]. */
type ColumnShape = [string, string, string, boolean, boolean, boolean, boolean, string | null];

const varchar = (name: string, length: number, unique = false, primary = false): ColumnShape => [
  name,
  'varchar',
  String(length),
  false,
  primary,
  unique,
  false,
  null,
];
const instant = (name: string, byDefault: string | null = null): ColumnShape => [
  name,
  'instant',
  '',
  false,
  false,
  false,
  false,
  byDefault,
];

/** What the migrations must produce, on SQLite and on PostgreSQL alike. */
const EXPECTED: Record<
  string,
  { columns: ColumnShape[]; indices: string[][]; uniques: string[][] }
> = {
  users: {
    columns: [
      varchar('id', 36, false, true),
      varchar('email', 254, true),
      varchar('full_name', 150),
      varchar('password_hash', 255),
      ['is_active', 'boolean', '', false, false, false, false, 'true'],
      instant('date_joined'),
      instant('password_changed_at'),
      ['token_generation', 'integer', '', false, false, false, false, '0'],
      instant('updated_at', 'now'),
      ['email_changed_at', 'instant', '', true, false, false, false, null],
    ],
    indices: [],
    uniques: [['email']],
  },
  token_blacklist: {
    columns: [
      ['id', 'integer', '', false, true, false, true, null],
      varchar('jti', 64, true),
      varchar('token_type', 16),
      varchar('user_id', 36),
      varchar('reason', 32),
      instant('expires_at'),
      instant('created_at', 'now'),
    ],
    indices: [['expires_at']],
    uniques: [['jti']],
  },
  revoked_token_families: {
    columns: [
      varchar('family_id', 36, false, true),
      varchar('user_id', 36),
      varchar('reason', 32),
      instant('expires_at'),
      instant('created_at', 'now'),
    ],
    indices: [['expires_at']],
    uniques: [],
  },
  sessions: {
    columns: [
      varchar('id', 36, false, true),
      varchar('user_id', 36),
      ['token_generation', 'integer', '', false, false, false, false, null],
      instant('created_at'),
      instant('last_used_at'),
      instant('expires_at'),
      varchar('ip', 45),
      varchar('user_agent', 512),
      varchar('label', 64),
      ['revoked_at', 'instant', '', true, false, false, false, null],
    ],
    indices: [['expires_at'], ['user_id', 'revoked_at', 'created_at']],
    uniques: [],
  },
};

/**
 * The driver's names for the same thing, made one. An instant is SQLite's `datetime` (TypeORM
 * writes it as UTC text) or PostgreSQL's `timestamp with time zone` — a `timestamp` without
 * time zone is not one, and stays as it is so that the comparison fails.
 */
function normalType(type: string): string {
  if (type === 'character varying') return 'varchar';
  if (type === 'datetime' || type === 'timestamp with time zone') return 'instant';
  return type;
}
function normalDefault(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === 'now()' || text === "datetime('now')") return 'now';
  return text.replace(/^'(.*)'$/, '$1');
}

function shapeOf(table: Table, indices: string[][]) {
  return {
    columns: table.columns.map((column): ColumnShape => [
      column.name,
      normalType(column.type),
      column.length,
      column.isNullable,
      column.isPrimary,
      column.isUnique,
      column.isGenerated,
      normalDefault(column.default),
    ]),
    indices,
    uniques: table.uniques.map((unique) => unique.columnNames).sort(),
  };
}

/**
 * The columns of each (non-unique) index of the table, in the index's order, which is what
 * decides the searches it serves. TypeORM reads them in that order from SQLite, but in the
 * table's column order from PostgreSQL, so there they come from the catalog.
 */
async function indexedColumnsOf(app: TestApp, table: Table): Promise<string[][]> {
  const dataSource = app.dataSource();
  if (dataSource.options.type !== 'postgres') {
    return table.indices.map((index) => index.columnNames).sort();
  }
  const rows = await dataSource.query<{ columns: string[] }[]>(
    `SELECT array_agg(a.attname::text ORDER BY k.position) AS columns
       FROM pg_index i
       JOIN pg_class t ON t.oid = i.indrelid
       CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace
        AND NOT i.indisprimary AND NOT i.indisunique
      GROUP BY i.indexrelid`,
    [table.name],
  );
  return rows.map((row) => row.columns).sort();
}

/** The table as the app's database has it now; fails the test when it is missing. */
async function readTable(app: TestApp, name: string): Promise<Table> {
  const runner = app.dataSource().createQueryRunner();
  try {
    const table = await runner.getTable(name);
    assert.ok(table, `no table ${name}`);
    return table;
  } finally {
    await runner.release();
  }
}

/** The table's shape as the app's database has it now. */
async function readShape(app: TestApp, name: string) {
  const table = await readTable(app, name);
  return shapeOf(table, await indexedColumnsOf(app, table));
}

describe('the schema the migrations produce (the same on SQLite and PostgreSQL)', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start();
  });
  after(async () => {
    await app.close();
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`${name}: columns, types, keys, defaults and indices`, async () => {
      assert.deepEqual(await readShape(app, name), expected);
    });
  }

  it('every migration ran, and nothing else is pending', async () => {
    const dataSource = app.dataSource();
    assert.equal(await dataSource.showMigrations(), false, 'a migration is pending');
    const executed = await dataSource.query<{ name: string }[]>(
      'SELECT name FROM migrations ORDER BY id',
    );
    assert.deepEqual(
      executed.map((row) => row.name),
      dataSource.migrations.map((migration) => migration.name),
    );
  });
});

describe('the newest migrations, undone and run again', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start();
  });
  after(async () => {
    await app.close();
  });

  const indexedColumns = async (table: string) => (await readShape(app, table)).indices;
  /** Undoes the newest `count` migrations, newest first; each test runs them all again. */
  const undoMigrations = async (count: number) => {
    for (let undone = 0; undone < count; undone++) await app.dataSource().undoLastMigration();
  };

  it("the live sessions' index migration: down restores (user_id, created_at), up puts revoked_at between", async () => {
    const dataSource = app.dataSource();
    await dataSource.query(
      "INSERT INTO sessions (id, user_id, token_generation, created_at, last_used_at, expires_at, ip, user_agent, label) VALUES ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 0, '2026-12-01 10:00:00', '2026-12-01 10:00:00', '2026-12-02 10:00:00', '127.0.0.1', '', 'Unknown client')",
    );
    await undoMigrations(1);
    assert.deepEqual(await indexedColumns('sessions'), [['expires_at'], ['user_id', 'created_at']]);
    await dataSource.runMigrations();
    assert.deepEqual(await readShape(app, 'sessions'), EXPECTED.sessions);
    const rows = await dataSource.query<{ id: string }[]>('SELECT id FROM sessions');
    assert.deepEqual(
      rows.map((row) => row.id),
      ['00000000-0000-4000-8000-0000000000a1'],
    );
    assert.equal(await dataSource.showMigrations(), false, 'a migration is pending');
  });

  it('the email_changed_at migration: down drops the column and keeps the accounts, up adds it again', async () => {
    const dataSource = app.dataSource();
    await dataSource.query(
      "INSERT INTO users (id, email, full_name, password_hash, is_active, date_joined, password_changed_at, token_generation) VALUES ('00000000-0000-4000-8000-000000000001', 'kept@example.com', 'Kept', 'x', true, '2026-12-01 10:00:00', '2026-12-01 10:00:00', 0)",
    );
    // The live sessions' index migration came after it: undone first, run again below.
    await undoMigrations(2);
    const columns = (await readTable(app, 'users')).columns.map((column) => column.name);
    assert.ok(!columns.includes('email_changed_at'), `down left the column: ${columns.join()}`);
    await dataSource.runMigrations();
    assert.deepEqual(await readShape(app, 'users'), EXPECTED.users);
    const rows = await dataSource.query<{ email: string }[]>(
      "SELECT email FROM users WHERE id = '00000000-0000-4000-8000-000000000001'",
    );
    assert.deepEqual(
      rows.map((row) => row.email),
      ['kept@example.com'],
    );
    assert.equal(await dataSource.showMigrations(), false, 'a migration is pending');
  });

  it('the sessions migration: down drops the table, up creates it again', async () => {
    const dataSource = app.dataSource();
    // The email_changed_at and live sessions' index migrations came after it: undone first,
    // run again below.
    await undoMigrations(3);
    const runner = dataSource.createQueryRunner();
    try {
      assert.equal(await runner.hasTable('sessions'), false, 'down left the sessions table');
    } finally {
      await runner.release();
    }
    await dataSource.runMigrations();
    assert.deepEqual(await readShape(app, 'sessions'), EXPECTED.sessions);
    assert.equal(await dataSource.showMigrations(), false, 'a migration is pending');
  });

  it('down restores the user_id indices of the revocation tables, up drops them again', async () => {
    const dataSource = app.dataSource();
    // The three migrations after it are undone first and run again below.
    await undoMigrations(4);
    assert.deepEqual(await indexedColumns('token_blacklist'), [['expires_at'], ['user_id']]);
    assert.deepEqual(await indexedColumns('revoked_token_families'), [['expires_at'], ['user_id']]);
    await dataSource.runMigrations();
    assert.deepEqual(await indexedColumns('token_blacklist'), [['expires_at']]);
    assert.deepEqual(await indexedColumns('revoked_token_families'), [['expires_at']]);
    assert.equal(await dataSource.showMigrations(), false, 'a migration is pending');
  });
});
