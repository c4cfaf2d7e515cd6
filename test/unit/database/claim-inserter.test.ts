import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { In, type DataSource } from 'typeorm';
import {
  BlacklistInserter,
  FamilyInserter,
  type BlacklistRow,
} from '../../../src/auth/revocation/revocation-inserters.js';
import { RevokedTokenFamily } from '../../../src/auth/revocation/revoked-token-family.entity.js';
import { TokenBlacklistEntry } from '../../../src/auth/revocation/token-blacklist.entity.js';
import { openSqliteDatabase, type SqliteDatabase } from '../support/sqlite-database.js';

function row(jti = randomUUID()): BlacklistRow {
  return {
    jti,
    tokenType: 'refresh',
    userId: randomUUID(),
    reason: 'rotated',
    expiresAt: new Date(Date.now() + 86_400_000),
    createdAt: new Date(),
  };
}

describe('ClaimInserter: group commit on a SQLite file', () => {
  let sqlite: SqliteDatabase;
  let database: DataSource;
  let inserter: BlacklistInserter;
  /** Statements the inserter sent to sqlite3, counted at the connection. */
  let statements = 0;

  before(async () => {
    sqlite = await openSqliteDatabase();
    database = sqlite.dataSource;
    const connection = (database.driver as unknown as { databaseConnection: { all: () => void } })
      .databaseConnection;
    const all = connection.all.bind(connection);
    connection.all = (...args: Parameters<typeof all>) => {
      statements++;
      return all(...args);
    };
    inserter = new BlacklistInserter(database.getRepository(TokenBlacklistEntry));
  });
  after(async () => {
    await sqlite.remove();
  });

  const repository = () => database.getRepository(TokenBlacklistEntry);

  it('stores a row with every column as given and answers true', async () => {
    const given = row();
    assert.equal(await inserter.insert(given), true);
    const stored = await repository().findOneByOrFail({ jti: given.jti });
    assert.deepEqual(
      {
        tokenType: stored.tokenType,
        userId: stored.userId,
        reason: stored.reason,
        expiresAt: stored.expiresAt.getTime(),
        createdAt: stored.createdAt.getTime(),
      },
      {
        tokenType: given.tokenType,
        userId: given.userId,
        reason: given.reason,
        expiresAt: given.expiresAt.getTime(),
        createdAt: given.createdAt.getTime(),
      },
    );
  });

  it('answers false for a jti already stored, and leaves its row as it was', async () => {
    const first = row();
    assert.equal(await inserter.insert(first), true);
    assert.equal(await inserter.insert({ ...first, reason: 'logout' }), false);
    const stored = await repository().findBy({ jti: first.jti });
    assert.deepEqual(
      stored.map((entry) => entry.reason),
      ['rotated'],
    );
  });

  it('writes 200 parallel inserts in a few statements, each answered and stored', async () => {
    const rows = Array.from({ length: 200 }, () => row());
    const before = statements;
    const answers = await Promise.all(rows.map((each) => inserter.insert(each)));
    const used = statements - before;
    assert.ok(answers.every((answer) => answer === true));
    assert.ok(used >= 1 && used <= 3, `${used} statements for 200 rows`);
    assert.equal(await repository().countBy({ jti: In(rows.map((each) => each.jti)) }), 200);
  });

  it('of parallel inserts of one jti, exactly one answers true', async () => {
    const jti = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => inserter.insert(row(jti))));
    assert.equal(answers.filter(Boolean).length, 1);
    assert.equal(await repository().countBy({ jti }), 1);
  });

  it('a failed statement rejects every caller in it and the next group writes again', async () => {
    const connection = (
      database.driver as unknown as {
        databaseConnection: { all: (sql: string, params: unknown[], cb: unknown) => void };
      }
    ).databaseConnection;
    const all = connection.all;
    connection.all = (_sql, _params, callback) =>
      (callback as (error: Error) => void)(new Error('SQLITE_IOERR: disk I/O error (test)'));
    const failed = await Promise.allSettled([inserter.insert(row()), inserter.insert(row())]);
    connection.all = all;
    assert.deepEqual(
      failed.map((result) => result.status),
      ['rejected', 'rejected'],
    );
    assert.equal(await inserter.insert(row()), true);
  });

  it("revokes a family once: its row with the database's created_at, then false, the first reason kept", async () => {
    const families = new FamilyInserter(database.getRepository(RevokedTokenFamily));
    const familyId = randomUUID();
    const family = {
      familyId,
      userId: randomUUID(),
      reason: 'session_cap',
      expiresAt: new Date(Date.now() + 86_400_000),
    };
    const answers = await Promise.all([
      families.insert(family),
      ...Array.from({ length: 9 }, () => families.insert({ ...family, reason: 'logout' })),
    ]);
    assert.deepEqual(answers, [true, ...Array.from({ length: 9 }, () => false)]);
    assert.equal(await families.insert({ ...family, reason: 'logout' }), false);
    const stored = await database.getRepository(RevokedTokenFamily).findBy({ familyId });
    assert.equal(stored.length, 1);
    assert.equal(stored[0].reason, 'session_cap');
    assert.equal(stored[0].expiresAt.getTime(), family.expiresAt.getTime());
    assert.ok(Math.abs(stored[0].createdAt.getTime() - Date.now()) < 60_000);
  });
});
