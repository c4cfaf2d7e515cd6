import { ConflictException } from '@nestjs/common';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { User } from '../../../src/users/user.entity.js';
import { UsersService } from '../../../src/users/users.service.js';
import { openSqliteDatabase, type SqliteDatabase } from '../support/sqlite-database.js';

describe('UsersService.create: the address is claimed once (SQLite file)', () => {
  let sqlite: SqliteDatabase;
  let users: UsersService;

  before(async () => {
    sqlite = await openSqliteDatabase();
    users = new UsersService(sqlite.dataSource.getRepository(User));
  });
  after(async () => {
    await sqlite.remove();
  });

  it('stores the account as given, readable by address, with the defaults of a new account', async () => {
    const email = `${randomUUID()}@example.com`;
    const created = await users.create({ email, fullName: 'Ada Lovelace', passwordHash: 'phc' });
    const stored = await sqlite.dataSource.getRepository(User).findOneByOrFail({ email });
    assert.deepEqual(
      { ...(await users.findByEmail(email)), updatedAt: undefined },
      { ...stored, updatedAt: undefined },
    );
    assert.equal(stored.id, created.id);
    assert.equal(stored.isActive, true);
    assert.equal(stored.tokenGeneration, 0);
    assert.equal(stored.emailChangedAt, null);
    assert.equal(stored.dateJoined.getTime(), created.dateJoined.getTime());
    assert.ok(stored.updatedAt instanceof Date);
  });

  it('of 10 parallel creations of one address, one account and nine 409s', async () => {
    const email = `${randomUUID()}@example.com`;
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) =>
        users.create({ email, fullName: `Name ${index}`, passwordHash: 'phc' }),
      ),
    );
    const created = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result) => result.status === 'rejected');
    assert.equal(created.length, 1);
    assert.ok(refused.every((result) => result.reason instanceof ConflictException));
    assert.equal(await sqlite.dataSource.getRepository(User).countBy({ email }), 1);
    // Another call later, in its own statement, is refused the same way.
    await assert.rejects(
      users.create({ email, fullName: 'Late', passwordHash: 'phc' }),
      ConflictException,
    );
  });
});
