import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { InjectOtpAuthRepository } from '../../database/otp-auth-repositories.js';
import { LessThan, Repository } from 'typeorm';
import { Session } from '../sessions/session.entity.js';
import { RevokedTokenFamily } from './revoked-token-family.entity.js';
import { TokenBlacklistEntry } from './token-blacklist.entity.js';

/**
 * Deletes revocations of tokens that have expired anyway: an expired token is refused by its
 * signature check, so its row is dead weight; so is the session row of an expired family. Runs
 * hourly, and via `npm run prune`.
 */
@Injectable()
export class RevocationPruner {
  private readonly logger = new Logger(RevocationPruner.name);

  constructor(
    @InjectOtpAuthRepository(TokenBlacklistEntry)
    private readonly blacklist: Repository<TokenBlacklistEntry>,
    @InjectOtpAuthRepository(RevokedTokenFamily)
    private readonly families: Repository<RevokedTokenFamily>,
    @InjectOtpAuthRepository(Session)
    private readonly sessions: Repository<Session>,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'otp-auth-prune-revocations' })
  async pruneOnSchedule(): Promise<void> {
    try {
      await this.prune();
    } catch (error) {
      this.logger.warn(`Pruning revocations failed: ${(error as Error).message}`);
    }
  }

  /** Removes expired rows; returns how many of each kind went. */
  async prune(now = new Date()): Promise<{ tokens: number; families: number; sessions: number }> {
    const tokens = await this.blacklist.delete({ expiresAt: LessThan(now) });
    const families = await this.families.delete({ expiresAt: LessThan(now) });
    const sessions = await this.sessions.delete({ expiresAt: LessThan(now) });
    const result = {
      tokens: tokens.affected ?? 0,
      families: families.affected ?? 0,
      sessions: sessions.affected ?? 0,
    };
    this.logger.log(
      `Pruned ${result.tokens} expired blacklist rows, ${result.families} families and ${result.sessions} sessions`,
    );
    return result;
  }
}
