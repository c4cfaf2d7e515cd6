import { Injectable } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { TokenBlacklistEntry } from './token-blacklist.entity.js';

/** A blacklist row as callers hand it in: everything but the generated id. */
export type BlacklistRow = Omit<TokenBlacklistEntry, 'id'>;

/** Rows per statement at most: 6 parameters each stays far below SQLite's and PostgreSQL's limits. */
const MAX_ROWS_PER_STATEMENT = 500;
const COLUMNS = ['jti', 'tokenType', 'userId', 'reason', 'expiresAt', 'createdAt'] as const;

interface Waiting {
  row: BlacklistRow;
  resolve: (inserted: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Inserts blacklist rows by group commit: the rows that arrive while one statement is being
 * written go together into the next, so under load one INSERT — one commit, one fsync — serves
 * many refreshes, and an idle service writes at once, with no added delay. Every caller still
 * waits for the commit of its own row, so nothing is answered before it is durable.
 *
 * Each caller learns whether its row is new: `ON CONFLICT (jti) DO NOTHING RETURNING jti` names
 * the rows the statement inserted, and the unique `jti` keeps a revocation an atomic claim
 * across statements and across instances. Within one statement a `jti` appears once; a second
 * caller with the same `jti` gets false, as it would have from the database.
 */
@Injectable()
export class BlacklistInserter {
  private queue: Waiting[] = [];
  private writing = false;
  private readonly columns: ColumnMetadata[];

  constructor(
    @InjectOtpAuthRepository(TokenBlacklistEntry)
    private readonly blacklist: Repository<TokenBlacklistEntry>,
  ) {
    this.columns = COLUMNS.map((property) =>
      blacklist.metadata.findColumnWithPropertyName(property)!,
    );
  }

  /** True when this call inserted the row, false when its `jti` was already there. */
  insert(row: BlacklistRow): Promise<boolean> {
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

  private async writeGroup(group: Waiting[]): Promise<void> {
    const firstByJti = new Map<string, Waiting>();
    for (const waiting of group) {
      if (!firstByJti.has(waiting.row.jti)) firstByJti.set(waiting.row.jti, waiting);
    }
    let inserted: Set<string>;
    try {
      inserted = await this.insertIgnoringDuplicates([...firstByJti.values()].map((w) => w.row));
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    for (const waiting of group) {
      waiting.resolve(firstByJti.get(waiting.row.jti) === waiting && inserted.has(waiting.row.jti));
    }
  }

  /** One statement for all `rows`; returns the `jti`s it inserted. */
  private async insertIgnoringDuplicates(rows: BlacklistRow[]): Promise<Set<string>> {
    const dataSource = this.blacklist.manager.connection;
    const { driver } = dataSource;
    const { columns } = this;
    const parameters: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = columns.map((column) => {
        parameters.push(
          driver.preparePersistentValue(row[column.propertyName as keyof BlacklistRow], column),
        );
        return driver.createParameter(`p${parameters.length}`, parameters.length - 1);
      });
      return `(${placeholders.join(', ')})`;
    });
    const jti = driver.escape(columns[0].databaseName);
    const sql =
      `INSERT INTO ${driver.escape(this.blacklist.metadata.tableName)} ` +
      `(${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) ` +
      `VALUES ${tuples.join(', ')} ON CONFLICT (${jti}) DO NOTHING RETURNING ${jti}`;
    const returned =
      driver.options.type === 'sqlite'
        ? await allRows(driver as unknown as SqliteDriverHandle, sql, parameters)
        : await dataSource.query<{ jti: string }[]>(sql, parameters);
    return new Set(returned.map((row) => row.jti));
  }
}

/** The part of TypeORM's SQLite driver used here: its one sqlite3 connection. */
interface SqliteDriverHandle {
  databaseConnection: {
    all(
      sql: string,
      parameters: unknown[],
      callback: (error: Error | null, rows: { jti: string }[]) => void,
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
): Promise<{ jti: string }[]> {
  return new Promise((resolve, reject) => {
    driver.databaseConnection.all(sql, parameters, (error, rows) =>
      error ? reject(error) : resolve(rows),
    );
  });
}
