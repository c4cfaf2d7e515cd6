import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AtomicStore } from '../../state/atomic-store.js';
import { UsersService } from '../../users/users.service.js';
import { BlacklistWriter } from './blacklist-writer.js';
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
/** A user that no longer exists or may not sign in. */
const NO_SESSIONS = 'x';
/** How long a user's generation is cached; revocations overwrite it at once anyway. */
const GENERATION_CACHE_MS = 10 * 60_000;
const MIN_CACHE_MS = 1_000;
/**
 * How long the "revoked" mark written with a blacklisted token stays cached. Its job is to beat
 * a reader that looked the token up just before the insert and is about to cache "not revoked"
 * (a matter of milliseconds); later readers find the row in the database and cache the answer
 * themselves. Every refresh blacklists a token, so a mark kept for the token's whole lifetime
 * (a day for refresh tokens) made the in-process store grow by one entry per refresh for a day.
 */
const REVOKED_MARK_MS = 60_000;

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

/**
 * Revocation state. The database is the source of truth (revocations survive any restart); the
 * {@link AtomicStore} caches each answer so the Bearer check is a cache hit, O(1) whatever the
 * number of rows. Writes go to the database first and then overwrite the cache; reads fill the
 * cache only with set-if-absent, so a stale "not revoked" can never replace a fresh "revoked".
 * Any failure of either store fails closed (503).
 */
@Injectable()
export class TokenRevocationService {
  private readonly logger = new Logger(TokenRevocationService.name);

  constructor(
    @InjectRepository(TokenBlacklistEntry)
    private readonly blacklist: Repository<TokenBlacklistEntry>,
    @InjectRepository(RevokedTokenFamily) private readonly families: Repository<RevokedTokenFamily>,
    private readonly users: UsersService,
    private readonly cache: AtomicStore,
    private readonly writer: BlacklistWriter,
  ) {}

  /** True when a session token (access or refresh) is still good: none of its revocations apply. */
  async isSessionValid(claims: SessionClaims): Promise<boolean> {
    return this.check(claims, true);
  }

  /**
   * Like {@link isSessionValid} but ignoring the token's own blacklisting: for refresh, whose
   * blacklist insert decides that atomically, and for its grace period.
   */
  async isFamilyAndUserValid(claims: SessionClaims): Promise<boolean> {
    return this.check(claims, false);
  }

  private async check(claims: SessionClaims, checkJti: boolean): Promise<boolean> {
    return this.failClosed(async () => {
      const keys = [generationKey(claims.sub), familyKey(claims.fam), jtiKey(claims.jti)];
      const [generation, family, jti] = await this.cache.getMany(keys);
      const ttlMs = Math.max(MIN_CACHE_MS, claims.exp * 1000 - Date.now());
      const [gen, familyRevoked, jtiRevoked] = await Promise.all([
        generation ?? this.loadGeneration(claims.sub),
        family ??
          this.loadFlag(familyKey(claims.fam), ttlMs, () =>
            this.families.existsBy({ familyId: claims.fam }),
          ),
        // Not looked up at all when the caller decides the jti itself (refresh claims it).
        jti ??
          (checkJti
            ? this.loadFlag(jtiKey(claims.jti), ttlMs, () =>
                this.blacklist.existsBy({ jti: claims.jti }),
              )
            : NOT_REVOKED),
      ]);
      return (
        gen === String(claims.gen) &&
        familyRevoked === NOT_REVOKED &&
        (!checkJti || jtiRevoked === NOT_REVOKED)
      );
    });
  }

  /**
   * Blacklists one token. Returns true when this call revoked it and false when it already was:
   * the unique `jti` makes this an atomic claim, which is what keeps refresh and reset tokens
   * single-use under parallel requests and across instances. Concurrent revocations share one
   * statement (see {@link BlacklistWriter}).
   */
  async revokeToken(token: TokenToRevoke, reason: RevocationReason): Promise<boolean> {
    return this.failClosed(async () => {
      const claimed = await this.writer.insert({
        jti: token.jti,
        tokenType: token.type,
        userId: token.userId,
        reason,
        expiresAt: new Date(token.exp * 1000),
        createdAt: new Date(),
      });
      if (!claimed) return false;
      await this.cache.set(
        jtiKey(token.jti),
        REVOKED,
        Math.min(cacheTtl(token.exp), REVOKED_MARK_MS),
      );
      return true;
    });
  }

  /** How an already revoked token was revoked, or null. */
  async findRevocation(jti: string): Promise<ExistingRevocation | null> {
    return this.failClosed(() =>
      this.blacklist.findOne({ where: { jti }, select: { reason: true, createdAt: true } }),
    );
  }

  /** Revokes every token of a family (a login and its rotations). */
  async revokeFamily(
    family: { fam: string; sub: string; exp: number },
    reason: string,
  ): Promise<void> {
    await this.failClosed(async () => {
      await this.families.upsert(
        {
          familyId: family.fam,
          userId: family.sub,
          reason,
          expiresAt: new Date(family.exp * 1000),
        },
        { conflictPaths: ['familyId'], skipUpdateIfNoValuesChanged: true },
      );
      await this.cache.set(familyKey(family.fam), REVOKED, cacheTtl(family.exp));
    });
  }

  /**
   * Revokes every token the user holds, on every instance, with one UPDATE: the user's token
   * generation goes up. `changes` (a new password, deactivation) land in the same statement.
   */
  async revokeAllForUser(
    userId: string,
    changes: Parameters<UsersService['raiseTokenGeneration']>[1] = {},
  ): Promise<number> {
    return this.failClosed(async () => {
      const generation = await this.users.raiseTokenGeneration(userId, changes);
      const cached = changes.isActive === false ? NO_SESSIONS : String(generation);
      await this.cache.set(generationKey(userId), cached, GENERATION_CACHE_MS);
      return generation;
    });
  }

  private async loadGeneration(userId: string): Promise<string> {
    const state = await this.users.findTokenState(userId);
    const value = state && state.isActive ? String(state.tokenGeneration) : NO_SESSIONS;
    await this.cache.setIfAbsent(generationKey(userId), value, GENERATION_CACHE_MS);
    return value;
  }

  private async loadFlag(
    key: string,
    ttlMs: number,
    isRevoked: () => Promise<boolean>,
  ): Promise<string> {
    const value = (await isRevoked()) ? REVOKED : NOT_REVOKED;
    await this.cache.setIfAbsent(key, value, ttlMs);
    return value;
  }

  private async failClosed<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      this.logger.error(`Revocation store unavailable: ${(error as Error).message}`);
      throw new StoreUnavailableException();
    }
  }
}

function generationKey(userId: string): string {
  return `revocation:generation:${userId}`;
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
