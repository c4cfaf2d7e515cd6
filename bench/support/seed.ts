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

/**
 * Gives the user of the session row `modelId` (the one the service wrote at a login) `count` more
 * live sessions: copies of that row (same user, token generation, expiry and client) with new ids,
 * created one second apart before it, in one transaction of plain SQL. It runs while the service
 * is up and idle (WAL: its connection keeps reading), after the login: a login over
 * `SESSIONS_MAX_PER_USER` (at most 1,000) would revoke all but that many of them.
 */
export function seedSessions(path: string, modelId: string, count: number): void {
  const db = new DatabaseSync(path);
  try {
    db.exec('PRAGMA busy_timeout = 5000; PRAGMA synchronous = OFF;');
    db.exec('BEGIN');
    const { changes } = db
      .prepare(
        `WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ?)
         INSERT INTO sessions (id, user_id, token_generation, created_at, last_used_at,
                               expires_at, ip, user_agent, label, revoked_at)
         SELECT ${RANDOM_UUID}, s.user_id, s.token_generation,
                strftime('%Y-%m-%d %H:%M:%f', s.created_at, '-' || n || ' seconds'),
                strftime('%Y-%m-%d %H:%M:%f', s.created_at, '-' || n || ' seconds'),
                s.expires_at, s.ip, s.user_agent, s.label, NULL
         FROM seq, sessions AS s WHERE s.id = ?`,
      )
      .run(count, modelId);
    db.exec('COMMIT');
    if (Number(changes) !== count) throw new Error(`seeded ${changes} sessions, not ${count}`);
  } finally {
    db.close();
  }
}

/**
 * The ids of a user's live session rows, read straight from the file: what a walk through the
 * list must show, each once. (The account is the bench's own: no family of it is revoked.)
 */
export function liveSessionIds(path: string, userId: string): string[] {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const rows = db
      .prepare(
        `SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ${NOW}`,
      )
      .all(userId) as { id: string }[];
    return rows.map((row) => row.id);
  } finally {
    db.close();
  }
}
