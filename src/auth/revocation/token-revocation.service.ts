import { Injectable, Logger } from '@nestjs/common';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { Repository } from 'typeorm';
import { AtomicStore } from '../../state/atomic-store.js';
import { UsersService } from '../../users/users.service.js';
import { BlacklistInserter, FamilyInserter } from './revocation-inserters.js';
import type { SessionClaims } from '../tokens/token-claims.js';
import { RevokedTokenFamily } from './revoked-token-family.entity.js';
import { StoreUnavailableException } from './store-unavailable.exception.js';
import {
  TokenBlacklistEntry,
  type BlacklistedTokenType,
  type RevocationReason,
} from './token-blacklist.entity.js';

const REVOKED = '1';
const NOT_REVOKED = '0';
/**
 * The longest a "not revoked" answer is cached. Revocations overwrite it at once; the bound only
 * limits what an unforeseen lost write could cost.
 */
const NOT_REVOKED_CACHE_MS = 10 * 60_000;
/** How long a revoked generation is remembered; the database gives the same answer afterwards. */
const REVOKED_GENERATION_CACHE_MS = 10 * 60_000;
const MIN_CACHE_MS = 1_000;
/**
 * How long a revocation mark must stay before the in-process store may drop it to make room: past
 * the write that follows it and any read that began before that write, both bounded by the
 * database's timeouts (5 s each). Afterwards the database gives the same answer.
 */
const MARK_SETTLES_AFTER_MS = 20_000;
const MARK = { evictableAfterMs: MARK_SETTLES_AFTER_MS };

/** A token to revoke on its own. */
export interface TokenToRevoke {
  jti: string;
  type: BlacklistedTokenType;
  userId: string;
  /** Seconds since epoch: the row is kept until then, the token being dead afterwards anyway. */
  exp: number;
}

/** The blacklist row of an already revoked token. */
export type ExistingRevocation = Pick<TokenBlacklistEntry, 'reason' | 'createdAt'>;

/** What {@link TokenRevocationService.revokeAllForUser} changes along with the generation. */
export type UserChanges = Parameters<UsersService['raiseTokenGeneration']>[1];

/**
 * Revocation state. The database is the source of truth (revocations survive any restart); the
 * {@link AtomicStore} caches every answer so that the Bearer check is a cache hit, O(1) whatever
 * the number of rows. Three facts decide a session token, each cached under its own key as
 * revoked or not: its `jti`, its family, and its user's generation (a token of generation `g` is
 * good while the user is active and still at `g`).
 *
 * A revocation writes "revoked" to the cache first and to the database second, and takes the
 * cache entry back if the database write fails: whatever fails in between, the cache never says
 * "not revoked" about something the database has revoked — which writing the database first
 * would allow when Redis then stops answering, until the entry expires. Reads fill the cache only
 * with set-if-absent, so an answer read before a revocation cannot replace it. Cached answers
 * only ever go from "not revoked" to "revoked", so two instances revoking at once cannot undo
 * each other. Any failure of either store fails closed (503).
 */
@Injectable()
export class TokenRevocationService {
  private readonly logger = new Logger(TokenRevocationService.name);

  constructor(
    @InjectOtpAuthRepository(TokenBlacklistEntry)
    private readonly blacklist: Repository<TokenBlacklistEntry>,
    @InjectOtpAuthRepository(RevokedTokenFamily)
    private readonly families: Repository<RevokedTokenFamily>,
    private readonly users: UsersService,
    private readonly cache: AtomicStore,
    private readonly blacklistInserter: BlacklistInserter,
    private readonly familyInserter: FamilyInserter,
  ) {}

  /**
   * The cache keys of the facts that decide a session token, in a fixed order: its user's
   * generation, its family and, unless `withJti` is false, the token itself. The Bearer check
   * builds them once per token (see AccessTokenAuthenticator).
   */
  sessionKeys(claims: SessionClaims, withJti = true): string[] {
    const keys = [generationKey(claims.sub, claims.gen), familyKey(claims.fam)];
    if (withJti) keys.push(jtiKey(claims.jti));
    return keys;
  }

  /** True when a session token (access or refresh) is still good: none of its revocations apply. */
  isSessionValid(
    claims: SessionClaims,
    keys: readonly string[] = this.sessionKeys(claims),
  ): Promise<boolean> {
    return this.check(claims, keys, keys.length).then(isValid);
  }

  /** Like {@link isSessionValid} but ignoring the token's own blacklisting (refresh grace). */
  isFamilyAndUserValid(claims: SessionClaims): Promise<boolean> {
    const keys = this.sessionKeys(claims, false);
    return this.check(claims, keys, keys.length).then(isValid);
  }

  /**
   * {@link isSessionValid} and a read of other keys in the same store read (one round trip to
   * Redis): `keys` are the session's own, from {@link sessionKeys} (the first `sessionKeyCount`),
   * followed by the others. Resolves to every value read, in that order, the others as they were
   * (null when absent), or to null when the session is revoked.
   */
  readIfSessionValid(
    claims: SessionClaims,
    keys: readonly string[],
    sessionKeyCount: number,
  ): Promise<readonly (string | null)[] | null> {
    return this.check(claims, keys, sessionKeyCount);
  }

  /** Answered from the cache when every fact is there (the Bearer check's usual case). */
  private async check(
    claims: SessionClaims,
    keys: readonly string[],
    factCount: number,
  ): Promise<(string | null)[] | null> {
    let cached: (string | null)[];
    try {
      cached = await this.cache.getMany(keys);
    } catch (error) {
      throw this.unavailable(error);
    }
    let complete = true;
    for (let index = 0; index < factCount; index++) {
      const answer = cached[index];
      if (answer === REVOKED) return null;
      if (answer === null) complete = false;
    }
    if (complete) return cached;
    const loaders = [
      async () => {
        const state = await this.users.findTokenState(claims.sub);
        return !state || !state.isActive || state.tokenGeneration !== claims.gen;
      },
      () => this.families.existsBy({ familyId: claims.fam }),
      () => this.blacklist.existsBy({ jti: claims.jti }),
    ];
    const answers = await this.failClosed(() =>
      Promise.all(
        keys.slice(0, factCount).map((key, index) => {
          const answer = cached[index];
          return answer !== null
            ? Promise.resolve(answer)
            : this.load(key, claims.exp, loaders[index]);
        }),
      ),
    );
    return answers.every((answer) => answer === NOT_REVOKED) ? cached : null;
  }

  /**
   * Blacklists one token. Returns true when this call revoked it and false when it already was:
   * the unique `jti` makes this an atomic claim, which is what keeps refresh and reset tokens
   * single-use under parallel requests and across instances.
   */
  async revokeToken(token: TokenToRevoke, reason: RevocationReason): Promise<boolean> {
    return this.failClosed(() =>
      this.cacheThenDatabase([jtiKey(token.jti)], cacheTtl(token.exp), () =>
        this.blacklistInserter.insert({
          jti: token.jti,
          tokenType: token.type,
          userId: token.userId,
          reason,
          expiresAt: new Date(token.exp * 1000),
          createdAt: new Date(),
        }),
      ),
    );
  }

  /** How an already revoked token was revoked, or null. */
  async findRevocation(jti: string): Promise<ExistingRevocation | null> {
    return this.failClosed(() =>
      this.blacklist.findOne({ where: { jti }, select: { reason: true, createdAt: true } }),
    );
  }

  /**
   * Revokes every token of a family (a login and its rotations). Returns true when this call
   * revoked it and false when it already was: of parallel revocations of one session (two logins
   * past the cap, two presentations of a stolen token), one is told it ended it.
   */
  async revokeFamily(
    family: { fam: string; sub: string; exp: number },
    reason: string,
  ): Promise<boolean> {
    return this.failClosed(() =>
      this.cacheThenDatabase([familyKey(family.fam)], cacheTtl(family.exp), () =>
        this.familyInserter.insert({
          familyId: family.fam,
          userId: family.sub,
          reason,
          expiresAt: new Date(family.exp * 1000),
        }),
      ),
    );
  }

  /**
   * Revokes every token the user holds, on every instance, with one UPDATE: the user's token
   * generation goes up. `changes` (a new password, deactivation) land in the same statement.
   * With `expected`, the UPDATE only happens while the stored password hash is still that one:
   * of two parallel password resets, one wins. Returns the new generation, or null when there
   * was nothing to update.
   */
  async revokeAllForUser(
    userId: string,
    changes: UserChanges = {},
    expected: Parameters<UsersService['raiseTokenGeneration']>[2] = {},
  ): Promise<number | null> {
    return this.failClosed(async () => {
      const before = await this.users.findTokenState(userId);
      if (!before) return null;
      const generation = await this.cacheThenDatabase(
        [generationKey(userId, before.tokenGeneration)],
        REVOKED_GENERATION_CACHE_MS,
        () => this.users.raiseTokenGeneration(userId, changes, expected),
      );
      if (generation === null) return null;
      // Generations another instance raised meanwhile are revoked as well.
      for (let skipped = before.tokenGeneration + 1; skipped < generation; skipped++) {
        await this.cache.set(
          generationKey(userId, skipped),
          REVOKED,
          REVOKED_GENERATION_CACHE_MS,
          MARK,
        );
      }
      return generation;
    });
  }

  /**
   * Marks `keys` revoked in the cache, then runs the database write. When the write fails, or
   * reports that it changed nothing (null), the marks are taken back so that the database
   * answers again; a `false` result (already revoked) keeps them, being true.
   */
  private async cacheThenDatabase<T>(
    keys: string[],
    ttlMs: number,
    write: () => Promise<T>,
  ): Promise<T> {
    for (const key of keys) await this.cache.set(key, REVOKED, ttlMs, MARK);
    let result: T;
    try {
      result = await write();
    } catch (error) {
      await this.cache.delete(...keys).catch(() => undefined);
      throw error;
    }
    if (result === null) await this.cache.delete(...keys);
    return result;
  }

  private async load(
    key: string,
    expSeconds: number,
    isRevoked: () => Promise<boolean>,
  ): Promise<string> {
    const value = (await isRevoked()) ? REVOKED : NOT_REVOKED;
    const ttlMs =
      value === REVOKED
        ? cacheTtl(expSeconds)
        : Math.min(NOT_REVOKED_CACHE_MS, cacheTtl(expSeconds));
    // What the database said: dropping it under memory pressure only costs reading it again. The
    // marks a revocation writes first (cacheThenDatabase) become evictable only later: they must
    // outlive every read that started before the database write, which fills only if absent.
    await this.cache.setIfAbsent(key, value, ttlMs, { evictable: true });
    return value;
  }

  private async failClosed<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  private unavailable(error: unknown): StoreUnavailableException {
    this.logger.error(`Revocation store unavailable: ${(error as Error).message}`);
    return new StoreUnavailableException();
  }
}

function isValid(read: unknown): boolean {
  return read !== null;
}
function generationKey(userId: string, generation: number): string {
  return `revocation:generation:${userId}:${generation}`;
}
function familyKey(family: string): string {
  return `revocation:family:${family}`;
}
function jtiKey(jti: string): string {
  return `revocation:jti:${jti}`;
}
function cacheTtl(expSeconds: number): number {
  return Math.max(MIN_CACHE_MS, expSeconds * 1000 - Date.now());
}
