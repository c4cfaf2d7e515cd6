import { DatabaseSync } from 'node:sqlite';

export interface SeedCounts {
  users: number;
  blacklist: number;
}

/** A SQLite expression for a random lower-case UUID-shaped string (36 characters). */
const RANDOM_UUID = `lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
  substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(2)) || '-' || hex(randomblob(6)))`;
const NOW = `strftime('%Y-%m-%d %H:%M:%f', 'now')`;

/**
 * Fills a migrated SQLite file with `users` accounts (all with `passwordHash`, a real argon2id
 * hash) and `blacklist` revoked tokens that expire in a day (so nothing prunes them), each table
 * in one transaction of plain SQL: seconds instead of the minutes the HTTP API would take.
 */
export function seedSqlite(path: string, counts: SeedCounts, passwordHash: string): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;');
    db.exec('BEGIN');
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO users (id, email, full_name, password_hash, is_active, date_joined,
                          password_changed_at, token_generation, updated_at)
       SELECT ${RANDOM_UUID}, 'seed-' || n || '@example.com', 'Seed User ' || n, ?, 1,
              ${NOW}, ${NOW}, 0, ${NOW}
       FROM seq`,
    ).run(counts.users, passwordHash);
    db.exec('COMMIT');
    db.exec('BEGIN');
    db.prepare(
      `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
       INSERT INTO token_blacklist (jti, token_type, user_id, reason, expires_at, created_at)
       SELECT ${RANDOM_UUID}, CASE n % 3 WHEN 0 THEN 'access' ELSE 'refresh' END, ${RANDOM_UUID},
              CASE n % 3 WHEN 0 THEN 'logout' ELSE 'rotated' END,
              strftime('%Y-%m-%d %H:%M:%f', 'now', '+1 day'), ${NOW}
       FROM seq`,
    ).run(counts.blacklist);
    db.exec('COMMIT');
    db.exec('ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);');
  } finally {
    db.close();
  }
}

/** Row counts, to show in the results that the seed is there. */
export function countRows(path: string): SeedCounts {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const count = (table: string) =>
      Number((db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n);
    return { users: count('users'), blacklist: count('token_blacklist') };
  } finally {
    db.close();
  }
}
