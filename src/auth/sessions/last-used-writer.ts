import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { In, LessThan, type Repository } from 'typeorm';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { Session } from './session.entity.js';

/** The resolution of `last_used_at`, in seconds. */
export const LAST_USED_RESOLUTION_S = 60;

/** Sessions per UPDATE at most, far below SQLite's and PostgreSQL's parameter limits. */
const MAX_IDS_PER_STATEMENT = 500;

/**
 * Whether a refresh should move its session's `last_used_at`: when the presented token was issued
 * in an earlier minute than now. A family's tokens chain (each refresh token is issued by the
 * refresh before it), so their issue times cut the family's life into intervals, and at most one
 * of them crosses each minute boundary: at most one write per session per minute, decided from
 * the token's `iat` alone, with no read. The stored time is then never more than a minute behind:
 * the last refresh that did not write happened in the same minute as the one that did.
 */
export function isDueForLastUsed(issuedAtSeconds: number, nowSeconds: number): boolean {
  return (
    Math.floor(issuedAtSeconds / LAST_USED_RESOLUTION_S) !==
    Math.floor(nowSeconds / LAST_USED_RESOLUTION_S)
  );
}

/**
 * Moves `last_used_at` off the refresh's path: the refresh only queues its session id and answers;
 * the ids queued while one UPDATE runs go together into the next (group commit, as the blacklist
 * inserter does). With {@link isDueForLastUsed} a busy session costs one queued id a minute, and
 * a failed write costs a stale time, never a failed refresh (it is logged).
 */
@Injectable()
export class LastUsedWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LastUsedWriter.name);
  private queued = new Set<string>();
  private writing?: Promise<void>;

  constructor(
    @InjectOtpAuthRepository(Session)
    private readonly sessions: Repository<Session>,
  ) {}

  /** Records a refresh of `sessionId` whose presented token was issued at `issuedAtSeconds`. */
  refreshed(sessionId: string, issuedAtSeconds: number, now = Date.now()): void {
    if (!isDueForLastUsed(issuedAtSeconds, Math.floor(now / 1000))) return;
    this.queued.add(sessionId);
    this.schedule();
  }

  /** Writes what is queued before the connection closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.writing;
  }

  private schedule(): void {
    if (this.writing) return;
    this.writing = this.writeQueued().finally(() => {
      this.writing = undefined;
      // Ids queued between the last statement and this callback start the next round.
      if (this.queued.size > 0) this.schedule();
    });
  }

  private async writeQueued(): Promise<void> {
    while (this.queued.size > 0) {
      const ids = [...this.queued].slice(0, MAX_IDS_PER_STATEMENT);
      for (const id of ids) this.queued.delete(id);
      const now = new Date();
      try {
        // `LessThan` keeps a time that another instance wrote later.
        await this.sessions.update({ id: In(ids), lastUsedAt: LessThan(now) }, { lastUsedAt: now });
      } catch (error) {
        this.logger.warn(
          `Recording the last use of ${ids.length} sessions failed: ${(error as Error).message}`,
        );
      }
    }
  }
}
