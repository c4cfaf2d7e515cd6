import { Injectable } from '@nestjs/common';
import { Brackets, type Repository, type SelectQueryBuilder } from 'typeorm';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { UsersService } from '../../users/users.service.js';
import { RevokedTokenFamily } from '../revocation/revoked-token-family.entity.js';
import { ClaimInserter } from '../../database/claim-inserter.js';
import { CompiledQuery, selectProperties } from '../../database/compiled-query.js';
import type { SessionCursor } from './session-cursor.js';
import { Session } from './session.entity.js';

/** What revoking a session past the cap needs of its row. */
type SessionToRevokeRow = Pick<Session, 'id' | 'userId' | 'expiresAt'>;

/** The user and generation whose live sessions are read: rows of an older generation are over. */
export interface SessionOwner {
  userId: string;
  generation: number;
}

/**
 * The `sessions` rows. "Live" means: this user's, of their current token generation, not
 * revoked (neither the row nor its family), not expired. Rows are never the reason a token is
 * refused (the revocation state is): they follow it, so that the list shows what still works.
 */
@Injectable()
export class SessionRegistry {
  /** A login's row, written by group commit with the rows of parallel logins. */
  private readonly inserter: ClaimInserter<Session>;
  private readonly beyondQueries = new Map<number, CompiledQuery<Session, SessionToRevokeRow>>();
  private readonly markRevokedQuery: CompiledQuery<Session>;

  constructor(
    @InjectOtpAuthRepository(Session)
    private readonly sessions: Repository<Session>,
    private readonly users: UsersService,
  ) {
    this.inserter = new ClaimInserter(sessions, [
      'id',
      'userId',
      'tokenGeneration',
      'createdAt',
      'lastUsedAt',
      'expiresAt',
      'ip',
      'userAgent',
      'label',
      'revokedAt',
    ]);
    this.markRevokedQuery = new CompiledQuery(sessions, () =>
      sessions
        .createQueryBuilder()
        .update(Session)
        .set({ revokedAt: () => ':at' })
        .where('id IN (:...ids)')
        .andWhere('revoked_at IS NULL'),
    );
  }

  /** The caller as an owner of sessions, at their current generation; null when they cannot have any. */
  async ownerOf(userId: string): Promise<SessionOwner | null> {
    const state = await this.users.findTokenState(userId);
    return state?.isActive ? { userId, generation: state.tokenGeneration } : null;
  }

  /** Records a new login. */
  async open(session: Session): Promise<void> {
    // The id is a token family just made up: a conflict would mean a broken id generator.
    if (!(await this.inserter.insert(session))) throw new Error(`Session ${session.id} exists`);
  }

  /** One page of live sessions, newest first; `limit + 1` rows are asked so the caller knows if more follow. */
  page(owner: SessionOwner, limit: number, after?: SessionCursor): Promise<Session[]> {
    return this.pageQuery(owner, limit, after).getMany();
  }

  /** The query of {@link page}, unrun. */
  pageQuery(
    owner: SessionOwner,
    limit: number,
    after?: SessionCursor,
  ): SelectQueryBuilder<Session> {
    const query = this.liveOf(owner)
      .orderBy('session.createdAt', 'DESC')
      .addOrderBy('session.id', 'DESC')
      .limit(limit + 1);
    if (after) {
      // "Older than the cursor" as a bound on created_at AND a tie-break: written as a bare OR,
      // SQLite would use the (user_id, revoked_at, created_at) index without created_at and read
      // every newer row again on each page, so the last page of 100,000 cost ten times the first.
      query
        .andWhere('session.createdAt <= :at', { at: after.createdAt })
        .andWhere(
          new Brackets((older) =>
            older
              .where('session.createdAt < :at', { at: after.createdAt })
              .orWhere('session.id < :id', { id: after.id }),
          ),
        );
    }
    return query;
  }

  /** A live session of the owner, or null (another user's, unknown, revoked or expired). */
  findLive(owner: SessionOwner, id: string): Promise<Session | null> {
    return this.liveOf(owner).andWhere('session.id = :id', { id }).getOne();
  }

  /** Every live session of the owner, the most recently used first. */
  allLive(owner: SessionOwner): Promise<Session[]> {
    return this.liveOf(owner)
      .orderBy('session.lastUsedAt', 'DESC')
      .addOrderBy('session.createdAt', 'DESC')
      .getMany();
  }

  /**
   * The owner's live sessions other than `exceptId`, after the `keep` most recently used: the ones
   * a cap of `keep + 1` revokes. Only those rows come back, with only what revoking needs: a login
   * under the cap hydrates none. Every login runs it, so its SQL is written once per `keep`.
   */
  liveBeyond(owner: SessionOwner, keep: number, exceptId: string): Promise<SessionToRevokeRow[]> {
    let query = this.beyondQueries.get(keep);
    if (!query) {
      query = new CompiledQuery(this.sessions, () => this.liveBeyondQuery(keep));
      this.beyondQueries.set(keep, query);
    }
    return query.getMany({ ...liveParameters(owner), exceptId });
  }

  /**
   * The query of {@link liveBeyond}, unrun, with its parameters unbound (those of
   * {@link liveParameters} and `exceptId`).
   */
  liveBeyondQuery(keep: number): SelectQueryBuilder<Session> {
    return selectProperties(this.live(), ['id', 'userId', 'expiresAt'])
      .andWhere('session.id != :exceptId')
      .orderBy('session.lastUsedAt', 'DESC')
      .addOrderBy('session.createdAt', 'DESC')
      .offset(keep);
  }

  /** A session row whatever its state (live, revoked, expired but not yet pruned), or null. */
  findById(id: string): Promise<Session | null> {
    return this.sessions.findOneBy({ id });
  }

  /**
   * The distinct client labels of the user's sessions other than `exceptId`, live or past (rows
   * are kept until their refresh tokens expire, then pruned).
   */
  async labelsOfOtherSessions(userId: string, exceptId: string): Promise<string[]> {
    const rows = await this.sessions
      .createQueryBuilder('session')
      .select('DISTINCT session.label', 'label')
      .where('session.userId = :userId', { userId })
      .andWhere('session.id != :exceptId', { exceptId })
      .getRawMany<{ label: string }>();
    return rows.map((row) => row.label);
  }

  /** Marks sessions revoked (their tokens are revoked elsewhere); rows already marked keep their time. */
  async markRevoked(ids: string[], at = new Date()): Promise<void> {
    if (ids.length === 0) return;
    await this.markRevokedQuery.execute({ ids, at });
  }

  /** The owner's live sessions, with the parameters unbound: see {@link liveParameters}. */
  private live(): SelectQueryBuilder<Session> {
    return (
      this.sessions
        .createQueryBuilder('session')
        .where('session.userId = :userId')
        .andWhere('session.tokenGeneration = :generation')
        .andWhere('session.revokedAt IS NULL')
        .andWhere('session.expiresAt > :now')
        // A family revoked without its row being marked (a write that failed half-way, or a path
        // that revokes families directly) is over all the same: the revocation is the truth.
        .leftJoin(RevokedTokenFamily, 'revoked', 'revoked.familyId = session.id')
        .andWhere('revoked.familyId IS NULL')
    );
  }

  /** {@link live} for `owner`, now. */
  private liveOf(owner: SessionOwner): SelectQueryBuilder<Session> {
    return this.live().setParameters(liveParameters(owner));
  }
}

/** The parameters of {@link SessionRegistry.live}. */
function liveParameters(owner: SessionOwner) {
  return { userId: owner.userId, generation: owner.generation, now: new Date() };
}
