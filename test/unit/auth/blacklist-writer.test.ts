import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import {
  BlacklistWriter,
  type NewBlacklistRow,
} from '../../../src/auth/revocation/blacklist-writer.js';
import { TokenBlacklistEntry } from '../../../src/auth/revocation/token-blacklist.entity.js';
import { buildDataSourceOptions } from '../../../src/database/database.options.js';

function row(jti: string): NewBlacklistRow {
  return {
    jti,
    tokenType: 'refresh',
    userId: 'user-1',
    reason: 'rotated',
    expiresAt: new Date(Date.now() + 60_000),
    createdAt: new Date(),
  };
}

/**
 * The blacklist insert is the atomic claim that keeps refresh and reset tokens single-use; grouped
 * into one statement, every caller must still learn whether it won.
 */
describe('BlacklistWriter (SQLite, the way the service connects)', () => {
  let dataSource: DataSource;
  let writer: BlacklistWriter;

  beforeEach(async () => {
    dataSource = new DataSource({
      ...buildDataSourceOptions({ type: 'sqlite', path: ':memory:', url: 'sqlite::memory:' }),
      logging: false,
    });
    await dataSource.initialize();
    writer = new BlacklistWriter(dataSource.getRepository(TokenBlacklistEntry));
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
  });

  it('inserts parallel rows with different jtis, each claimed by its caller', async () => {
    const claims = await Promise.all(
      Array.from({ length: 30 }, (_, i) => writer.insert(row(`jti-${i}`))),
    );
    assert.deepEqual(claims, Array<boolean>(30).fill(true));
    assert.equal(await dataSource.getRepository(TokenBlacklistEntry).count(), 30);
  });

  it('gives a jti presented many times at once to exactly one caller', async () => {
    const claims = await Promise.all(Array.from({ length: 20 }, () => writer.insert(row('same'))));
    assert.equal(claims.filter(Boolean).length, 1);
    assert.equal(await dataSource.getRepository(TokenBlacklistEntry).count(), 1);
  });

  it('refuses a jti that is already blacklisted, alone or among others', async () => {
    assert.equal(await writer.insert(row('old')), true);
    assert.equal(await writer.insert(row('old')), false);
    const [again, fresh] = await Promise.all([
      writer.insert(row('old')),
      writer.insert(row('new')),
    ]);
    assert.deepEqual([again, fresh], [false, true]);
  });

  it('stores the row as TypeORM reads it back', async () => {
    const expiresAt = new Date('2030-01-02T03:04:05.678Z');
    await writer.insert({ ...row('dated'), expiresAt, reason: 'logout', tokenType: 'access' });
    const stored = await dataSource
      .getRepository(TokenBlacklistEntry)
      .findOneByOrFail({ jti: 'dated' });
    assert.equal(stored.expiresAt.toISOString(), expiresAt.toISOString());
    assert.equal(stored.reason, 'logout');
    assert.equal(stored.tokenType, 'access');
  });

  it('rejects every insert of a batch when the database fails (callers answer 503)', async () => {
    await dataSource.destroy();
    await assert.rejects(writer.insert(row('lost')));
  });
});
