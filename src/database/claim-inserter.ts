import type { ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/**
 * Rows per statement at most: at 10 parameters each (a session row) still far below SQLite's and
 * PostgreSQL's limits on parameters per statement.
 */
const MAX_ROWS_PER_STATEMENT = 500;

interface Waiting<Row> {
  row: Row;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Inserts rows by group commit: the rows that arrive while one statement is being
 * written go together into the next, so under load one INSERT — one commit, one fsync — serves
 * many requests, and an idle service writes at once, with no added delay. Every caller still
 * waits for the commit of its own row, so nothing is answered before it is durable.
 *
 * Each caller learns whether its row is new: `ON CONFLICT (key) DO NOTHING RETURNING key` names
 * the rows the statement inserted, and the unique key keeps an insert an atomic claim across
 * statements and across instances: of parallel revocations of one token or one family, exactly
 * one is told it revoked it. Within one statement a key appears once; a second caller with the
 * same key gets false, as it would have from the database.
 */
export class ClaimInserter<Row extends ObjectLiteral> {
  private queue: Waiting<Row>[] = [];
  private writing = false;
  private readonly columns: ColumnMetadata[];

  /** @param properties the columns written, the unique key first; the others keep their defaults. */
  constructor(
    private readonly repository: Repository<ObjectLiteral>,
    properties: readonly (keyof Row & string)[],
  ) {
    this.columns = properties.map((property) =>
      repository.metadata.findColumnWithPropertyName(property)!,
    );
  }

  /** True when this call inserted the row, false when its key was already there. */
  insert(row: Row): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.writing) void this.writeQueued();
    });
  }

  private async writeQueued(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_ROWS_PER_STATEMENT);
        await this.writeGroup(group);
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeGroup(group: Waiting<Row>[]): Promise<void> {
    const firstByKey = new Map<unknown, Waiting<Row>>();
    for (const waiting of group) {
      const key = this.keyOf(waiting.row);
      if (!firstByKey.has(key)) firstByKey.set(key, waiting);
    }
    let inserted: Set<unknown>;
    try {
      inserted = await this.insertIgnoringDuplicates([...firstByKey.values()].map((w) => w.row));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    for (const waiting of group) {
      const key = this.keyOf(waiting.row);
      waiting.resolve(firstByKey.get(key) === waiting && inserted.has(key));
    }
  }

  private keyOf(row: Row): unknown {
    return row[this.columns[0].propertyName];
  }

  /** One statement for all `rows`; returns the keys it inserted. */
  private async insertIgnoringDuplicates(rows: Row[]): Promise<Set<unknown>> {
    const dataSource = this.repository.manager.connection;
    const { driver } = dataSource;
    const { columns } = this;
    const parameters: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = columns.map((column) => {
        parameters.push(driver.preparePersistentValue(row[column.propertyName], column));
        return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
      });
      return `(${placeholders.join(', ')})`;
    });
    const key = driver.escape(columns[0].databaseName);
    const sql =
      `INSERT INTO ${driver.escape(this.repository.metadata.tableName)} ` +
      `(${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) ` +
      `VALUES ${tuples.join(', ')} ON CONFLICT (${key}) DO NOTHING RETURNING ${key} AS "key"`;
    const returned =
      driver.options.type === 'sqlite'
        ? await allRows(driver as unknown as SqliteDriverHandle, sql, parameters)
        : await dataSource.query<KeyRow[]>(sql, parameters);
    return new Set(returned.map((row) => row.key));
  }
}

interface KeyRow {
  key: unknown;
}

/** The part of TypeORM's SQLite driver used here: its one sqlite3 connection. */
interface SqliteDriverHandle {
  databaseConnection: {
    all(
      sql: string,
      parameters: unknown[],
      callback: (error: Error | null, rows: KeyRow[]) => void,
    ): void;
  };
}

/**
 * Runs a statement that returns rows on SQLite. TypeORM's SQLite query runner executes every
 * statement starting with INSERT through sqlite3's `run`, which drops the rows of `RETURNING`;
 * sqlite3's `all` on the same connection keeps them.
 */
function allRows(
  driver: SqliteDriverHandle,
  sql: string,
  parameters: unknown[],
): Promise<KeyRow[]> {
  return new Promise((resolve, reject) => {
    driver.databaseConnection.all(sql, parameters, (error, rows) =>
      error ? reject(error) : resolve(rows),
    );
  });
}
