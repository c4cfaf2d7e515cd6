import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AbstractSqliteDriver } from 'typeorm/driver/sqlite-abstract/AbstractSqliteDriver.js';
import { isUniqueViolation } from '../../users/users.service.js';
import { TokenBlacklistEntry } from './token-blacklist.entity.js';

/** A row to insert. */
export type NewBlacklistRow = Omit<TokenBlacklistEntry, 'id'>;

/** Rows per statement at most: 6 parameters each, far below SQLite's and PostgreSQL's limits. */
const MAX_ROWS_PER_STATEMENT = 256;
const COLUMNS = ['jti', 'tokenType', 'userId', 'reason', 'expiresAt', 'createdAt'] as const;

interface Waiting {
  row: NewBlacklistRow;
  resolve(claimed: boolean): void;
  reject(error: unknown): void;
}

/**
 * Blacklist inserts, grouped (group commit). Every refresh writes one row — its atomic claim on
 * the presented token's `jti` — and one statement per row costs SQLite a commit and sqlite3
 * several thread-pool round trips each. Inserts that arrive while a statement runs wait for it
 * and then go together in the next one:
 * `INSERT … VALUES (…), (…) ON CONFLICT (jti) DO NOTHING RETURNING jti`. The rows it returns are
 * the claims won; a `jti` already present (or twice in one batch: the first wins) is a claim
 * lost, exactly as a unique violation was. One request alone waits for nothing but a
 * `setImmediate`. A failed statement fails every insert of its batch (→ 503, fail closed).
 *
 * SQLite (3.35+) and PostgreSQL only; with any other database a host app brings, each row is its
 * own insert as before.
 */
@Injectable()
export class BlacklistWriter {
  private waiting: Waiting[] = [];
  private draining = false;

  constructor(
    @InjectRepository(TokenBlacklistEntry)
    private readonly blacklist: Repository<TokenBlacklistEntry>,
  ) {}

  /** Inserts the row; true when this call inserted it, false when its `jti` was there already. */
  insert(row: NewBlacklistRow): Promise<boolean> {
    const type = this.blacklist.manager.connection.driver.options.type;
    if (type !== 'sqlite' && type !== 'postgres') return this.insertOne(row);
    return new Promise((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, MAX_ROWS_PER_STATEMENT);
      try {
        const inserted = await this.insertNew(batch.map((waiting) => waiting.row));
        // delete(): of two inserts of one jti in a batch, only the first is told it won.
        for (const waiting of batch) waiting.resolve(inserted.delete(waiting.row.jti));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.draining = false;
  }

  /** One statement for all the rows; returns the jtis it inserted. */
  private async insertNew(rows: NewBlacklistRow[]): Promise<Set<string>> {
    const { metadata, manager } = this.blacklist;
    const driver = manager.connection.driver;
    const postgres = driver.options.type === 'postgres';
    const columns = COLUMNS.map((property) => metadata.findColumnWithPropertyName(property)!);
    const parameters: unknown[] = [];
    const tuples = rows.map((row) => {
      const placeholders = columns.map((column) => {
        parameters.push(
          driver.preparePersistentValue(row[column.propertyName as keyof NewBlacklistRow], column),
        );
        return postgres ? `$${parameters.length}` : '?';
      });
      return `(${placeholders.join(', ')})`;
    });
    const jti = driver.escape('jti');
    const sql =
      `INSERT INTO ${driver.escape(metadata.tableName)} ` +
      `(${columns.map((column) => driver.escape(column.databaseName)).join(', ')}) ` +
      `VALUES ${tuples.join(', ')} ON CONFLICT (${jti}) DO NOTHING RETURNING ${jti}`;
    const returned = postgres
      ? await manager.query<{ jti: string }[]>(sql, parameters)
      : await sqliteAll(driver as AbstractSqliteDriver, sql, parameters);
    return new Set(returned.map((row) => row.jti));
  }

  private async insertOne(row: NewBlacklistRow): Promise<boolean> {
    try {
      // updateEntity(false): no read-back of generated columns nobody uses.
      await this.blacklist
        .createQueryBuilder()
        .insert()
        .into(TokenBlacklistEntry)
        .values(row)
        .updateEntity(false)
        .execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }
}

/**
 * Runs a statement that returns rows on TypeORM's sqlite3 connection. TypeORM's own `query()`
 * runs every statement that starts with INSERT through sqlite3's `run()`, which drops the rows of
 * a RETURNING clause.
 */
function sqliteAll(
  driver: AbstractSqliteDriver,
  sql: string,
  parameters: unknown[],
): Promise<{ jti: string }[]> {
  const connection = driver.databaseConnection as {
    all(
      sql: string,
      parameters: unknown[],
      done: (error: Error | null, rows: unknown[]) => void,
    ): void;
  };
  return new Promise((resolve, reject) => {
    connection.all(sql, parameters, (error, rows) =>
      error ? reject(error) : resolve(rows as { jti: string }[]),
    );
  });
}
