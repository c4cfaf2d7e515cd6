import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import {
  BlacklistInserter,
  FamilyInserter,
} from '../../../src/auth/revocation/revocation-inserters.js';
import { RevokedTokenFamily } from '../../../src/auth/revocation/revoked-token-family.entity.js';
import { StoreUnavailableException } from '../../../src/auth/revocation/store-unavailable.exception.js';
import { TokenBlacklistEntry } from '../../../src/auth/revocation/token-blacklist.entity.js';
import { TokenRevocationService } from '../../../src/auth/revocation/token-revocation.service.js';
import type { SessionClaims } from '../../../src/auth/tokens/token-claims.js';
import { OTP_AUTH_ENTITIES, OTP_AUTH_MIGRATIONS } from '../../../src/database/otp-auth.schema.js';
import { StoreUnavailableError } from '../../../src/common/errors/infrastructure-error.js';
import { MemoryAtomicStore } from '../../../src/state/memory-atomic-store.js';
import { User } from '../../../src/users/user.entity.js';
import { UsersService } from '../../../src/users/users.service.js';

/**
 * The in-process store, with an outage on demand: after a given number of further operations,
 * every operation fails as a Redis that stopped answering would, until `restore()`.
 */
class OutageStore extends MemoryAtomicStore {
  private remaining = Infinity;
  /** How many operations failed since the outage was armed. */
  failures = 0;

  failAfter(operations: number): void {
    this.remaining = operations;
    this.failures = 0;
  }

  restore(): void {
    this.remaining = Infinity;
  }

  private gate(): void {
    if (this.remaining <= 0) {
      this.failures++;
      throw new StoreUnavailableError('Redis is down (test)');
    }
    this.remaining--;
  }

  override get(key: string) {
    return Promise.resolve().then(() => (this.gate(), super.get(key)));
  }
  override getMany(keys: string[]) {
    return Promise.resolve().then(() => (this.gate(), super.getMany(keys)));
  }
  override set(key: string, value: string, ttlMs: number) {
    return Promise.resolve().then(() => (this.gate(), super.set(key, value, ttlMs)));
  }
  override setIfAbsent(key: string, value: string, ttlMs: number) {
    return Promise.resolve().then(() => (this.gate(), super.setIfAbsent(key, value, ttlMs)));
  }
  override delete(...keys: string[]) {
    return Promise.resolve().then(() => (this.gate(), super.delete(...keys)));
  }
}

describe('TokenRevocationService: the cache never contradicts the database', () => {
  let database: DataSource;
  let store: OutageStore;
  let users: UsersService;
  let revocation: TokenRevocationService;

  before(async () => {
    database = new DataSource({
      type: 'sqlite',
      database: ':memory:',
      entities: OTP_AUTH_ENTITIES,
      migrations: OTP_AUTH_MIGRATIONS,
      migrationsRun: true,
      logging: false,
    });
    await database.initialize();
    store = new OutageStore();
    users = new UsersService(database.getRepository(User));
    revocation = new TokenRevocationService(
      database.getRepository(TokenBlacklistEntry),
      database.getRepository(RevokedTokenFamily),
      users,
      store,
      new BlacklistInserter(database.getRepository(TokenBlacklistEntry)),
      new FamilyInserter(database.getRepository(RevokedTokenFamily)),
    );
  });
  after(async () => {
    store.onModuleDestroy();
    await database.destroy();
  });

  /** A new user and an access token of theirs, already checked once (so its answers are cached). */
  async function checkedToken(): Promise<SessionClaims> {
    const user = await users.create({
      email: `${randomUUID()}@example.com`,
      fullName: 'Ada Lovelace',
      passwordHash: 'hash-1',
    });
    const now = Math.floor(Date.now() / 1000);
    const claims: SessionClaims = {
      sub: user.id,
      jti: randomUUID(),
      fam: randomUUID(),
      gen: 0,
      iat: now,
      exp: now + 900,
      iss: 'otp-auth',
      aud: 'otp-auth',
      token_type: 'access',
    };
    assert.equal(await revocation.isSessionValid(claims), true);
    return claims;
  }

  const revocations: Record<
    string,
    {
      revoke: (claims: SessionClaims) => Promise<unknown>;
      revokedInDatabase: (claims: SessionClaims) => Promise<boolean>;
    }
  > = {
    'one token (logout, rotation)': {
      revoke: (claims) =>
        revocation.revokeToken(
          { jti: claims.jti, type: 'access', userId: claims.sub, exp: claims.exp },
          'logout',
        ),
      revokedInDatabase: (claims) =>
        database.getRepository(TokenBlacklistEntry).existsBy({ jti: claims.jti }),
    },
    'a family (logout, reuse detection)': {
      revoke: (claims) => revocation.revokeFamily(claims, 'logout'),
      revokedInDatabase: (claims) =>
        database.getRepository(RevokedTokenFamily).existsBy({ familyId: claims.fam }),
    },
    'every token of the user (logout-all, password change)': {
      revoke: (claims) => revocation.revokeAllForUser(claims.sub),
      revokedInDatabase: async (claims) =>
        (await users.findTokenState(claims.sub))!.tokenGeneration !== claims.gen,
    },
  };

  for (const [what, { revoke, revokedInDatabase }] of Object.entries(revocations)) {
    it(`revoking ${what}: whichever store operation Redis stops at, the token is refused once the database has it revoked`, async () => {
      let outageHit = true;
      for (let operations = 0; outageHit; operations++) {
        const claims = await checkedToken();
        store.failAfter(operations);
        const outcome = await revoke(claims).then(
          () => 'revoked',
          (error: unknown) => {
            assert.ok(error instanceof StoreUnavailableException, String(error));
            return '503';
          },
        );
        outageHit = store.failures > 0;
        store.restore();

        const revoked = await revokedInDatabase(claims);
        assert.equal(
          await revocation.isSessionValid(claims),
          !revoked,
          `outage after ${operations} operations (${outcome}): the database says ${revoked ? '' : 'not '}revoked`,
        );
        if (!outageHit) assert.equal(revoked, true, 'a revocation without outage did not happen');
      }
    });
  }

  it('revokeFamily says whether this call revoked the family: of parallel calls exactly one', async () => {
    const claims = await checkedToken();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => revocation.revokeFamily(claims, 'session_cap')),
    );
    assert.equal(answers.filter(Boolean).length, 1);
    assert.equal(await revocation.revokeFamily(claims, 'logout'), false);
    // "Already revoked" keeps the cache mark: it is true.
    assert.equal(await revocation.isSessionValid(claims), false);
  });

  it('a database write that fails takes the cache mark back: the token keeps working', async () => {
    const claims = await checkedToken();
    await database.query('ALTER TABLE "token_blacklist" RENAME TO "token_blacklist_away"');
    try {
      await assert.rejects(
        revocation.revokeToken(
          { jti: claims.jti, type: 'access', userId: claims.sub, exp: claims.exp },
          'logout',
        ),
        StoreUnavailableException,
      );
    } finally {
      await database.query('ALTER TABLE "token_blacklist_away" RENAME TO "token_blacklist"');
    }
    assert.equal(await revocation.isSessionValid(claims), true);
  });

  it('a password compare-and-set that loses changes nothing, and leaves the sessions working', async () => {
    const claims = await checkedToken();

    const generation = await revocation.revokeAllForUser(
      claims.sub,
      { passwordHash: 'hash-2' },
      { passwordHash: 'not-the-stored-hash' },
    );

    assert.equal(generation, null);
    assert.equal((await users.findById(claims.sub))!.passwordHash, 'hash-1');
    assert.equal(await revocation.isSessionValid(claims), true);
  });

  it('the compare-and-set of a password reset also requires the account to be active', async () => {
    const claims = await checkedToken();
    await revocation.revokeAllForUser(claims.sub, { isActive: false });

    const generation = await revocation.revokeAllForUser(
      claims.sub,
      { passwordHash: 'hash-2' },
      { passwordHash: 'hash-1', isActive: true },
    );

    assert.equal(generation, null);
    assert.equal((await users.findById(claims.sub))!.passwordHash, 'hash-1');
  });

  it('two instances revoking every token of a user at once: every earlier generation is refused', async () => {
    const first = await checkedToken();
    const second = { ...first, jti: randomUUID(), gen: 1 };

    await Promise.all([
      revocation.revokeAllForUser(first.sub),
      revocation.revokeAllForUser(first.sub),
    ]);

    assert.equal(await revocation.isSessionValid(first), false, 'generation 0');
    assert.equal(await revocation.isSessionValid(second), false, 'generation 1');
    assert.equal(
      await revocation.isSessionValid({ ...first, jti: randomUUID(), gen: 2 }),
      true,
      'generation 2, the current one',
    );
  });

  it('reads other keys in the same store read as the session facts, and only while the session is good', async () => {
    const claims = await checkedToken();
    const keys = [...revocation.sessionKeys(claims), `profile:${claims.sub}`, 'absent'];
    await store.set(`profile:${claims.sub}`, '{"id":1}', 60_000);
    // A session whose facts are not cached yet: loaded, and the other values as read.
    const fresh = { ...claims, jti: randomUUID(), fam: randomUUID() };
    const freshKeys = [...revocation.sessionKeys(fresh), `profile:${claims.sub}`];
    store.failAfter(1);
    await assert.rejects(
      revocation.readIfSessionValid(fresh, freshKeys, 3),
      StoreUnavailableException,
    );
    store.restore();

    assert.deepEqual((await revocation.readIfSessionValid(claims, keys, 3))?.slice(3), [
      '{"id":1}',
      null,
    ]);
    assert.deepEqual((await revocation.readIfSessionValid(fresh, freshKeys, 3))?.slice(3), [
      '{"id":1}',
    ]);
    assert.deepEqual(await store.getMany(revocation.sessionKeys(fresh)), ['0', '0', '0']);

    await revocation.revokeFamily(claims, 'logout');
    assert.equal(await revocation.readIfSessionValid(claims, keys, 3), null);
  });
});
