import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { In, type DataSource, type Repository } from 'typeorm';
import { CompiledQuery, selectProperties } from '../../../src/database/compiled-query.js';
import { User } from '../../../src/users/user.entity.js';
import { openSqliteDatabase, type SqliteDatabase } from '../support/sqlite-database.js';

describe('CompiledQuery: SQL written once, rows as TypeORM reads them (SQLite file)', () => {
  let sqlite: SqliteDatabase;
  let database: DataSource;
  let users: Repository<User>;

  before(async () => {
    sqlite = await openSqliteDatabase();
    database = sqlite.dataSource;
    users = database.getRepository(User);
  });
  after(async () => {
    await sqlite.remove();
  });

  async function newUser(changes: Partial<User> = {}): Promise<User> {
    return users.save(
      users.create({
        id: randomUUID(),
        email: `${randomUUID()}@example.com`,
        fullName: 'Ada Lovelace',
        passwordHash: 'hash',
        dateJoined: new Date(Date.UTC(2026, 11, 1, 10, 0, 0, 123)),
        passwordChangedAt: new Date(),
        ...changes,
      }),
    );
  }

  it('every column of every run equals what TypeORM hydrates: dates, booleans, nulls, numbers', async () => {
    const byEmail = new CompiledQuery(users, () =>
      selectProperties(users.createQueryBuilder('user')).where('user.email = :email'),
    );
    const plain = await newUser();
    const changed = await newUser({
      isActive: false,
      emailChangedAt: new Date(),
      tokenGeneration: 3,
    });
    for (const user of [plain, changed]) {
      const [row] = await byEmail.getMany({ email: user.email });
      assert.deepEqual({ ...row }, { ...(await users.findOneByOrFail({ id: user.id })) });
    }
    assert.equal(typeof (await byEmail.getOne({ email: changed.email }))?.isActive, 'boolean');
    assert.equal(await byEmail.getOne({ email: 'nobody@example.com' }), null);
  });

  it('builds the SQL once, whatever the parameters of later runs', async () => {
    let builds = 0;
    const byGeneration = new CompiledQuery(users, () => {
      builds++;
      return selectProperties(users.createQueryBuilder('user'), ['id'])
        .where('user.tokenGeneration = :generation')
        .andWhere('user.dateJoined < :before');
    });
    const generation = 1000 + Math.floor(Math.random() * 1000);
    const mine = await newUser({ tokenGeneration: generation });
    const later = new Date(Date.now() + 60_000);
    assert.deepEqual(await byGeneration.getMany({ generation, before: later }), [{ id: mine.id }]);
    assert.deepEqual(await byGeneration.getMany({ generation: generation + 1, before: later }), []);
    assert.deepEqual(
      await byGeneration.getMany({ generation, before: new Date(Date.UTC(2020, 0, 1)) }),
      [],
      'a date parameter is compared as TypeORM stores dates',
    );
    assert.equal(builds, 1);
  });

  it('runs an UPDATE with a list parameter, touching only the rows named', async () => {
    const deactivate = new CompiledQuery(users, () =>
      users
        .createQueryBuilder()
        .update(User)
        .set({ isActive: () => ':active' })
        .where('id IN (:...ids)'),
    );
    const [first, second, third] = [await newUser(), await newUser(), await newUser()];
    await deactivate.execute({ ids: [first.id, third.id], active: false });
    const stored = await users.findBy({ id: In([first.id, second.id, third.id]) });
    const active = Object.fromEntries(stored.map((user) => [user.id, user.isActive]));
    assert.deepEqual(active, { [first.id]: false, [second.id]: true, [third.id]: false });
  });
});
