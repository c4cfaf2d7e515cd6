import { Injectable } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import type { SessionRevocationReason } from '../../events/otp-auth-events.js';
import { OtpAuthEvents } from '../../events/otp-auth-events.service.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { SessionRegistry } from './session.registry.js';

/** What revoking a session needs to know of it. */
export interface SessionToRevoke {
  /** The token family id. */
  id: string;
  userId: string;
  /** When the family's refresh tokens expire, in seconds since epoch. */
  exp: number;
}

/**
 * Revokes sessions one by one: each family through the revocation service (database and cache,
 * so its access and refresh tokens are refused at once on every instance), then the rows marked,
 * then one security log line and one `otp-auth.session.revoked` event per session. Only the
 * sessions this call ended get the mark, the line and the event: when two requests revoke the
 * same session at once (parallel logins past the cap), the other one is told it was already over.
 */
@Injectable()
export class SessionRevoker {
  private readonly securityLog = new SecurityLog('Sessions');

  constructor(
    private readonly revocation: TokenRevocationService,
    private readonly registry: SessionRegistry,
    private readonly events: OtpAuthEvents,
  ) {}

  /** Returns the sessions this call ended (the others were revoked already). */
  async revoke(
    sessions: SessionToRevoke[],
    reason: SessionRevocationReason,
  ): Promise<SessionToRevoke[]> {
    // The families first: a failure after them leaves the sessions dead, and the list hides
    // revoked families whether or not their rows were marked.
    const ended: SessionToRevoke[] = [];
    for (const session of sessions) {
      const revoked = await this.revocation.revokeFamily(
        { fam: session.id, sub: session.userId, exp: session.exp },
        reason,
      );
      if (revoked) ended.push(session);
    }
    await this.registry.markRevoked(ended.map((session) => session.id));
    for (const session of ended) {
      this.securityLog.info('session_revoked', {
        user_id: session.userId,
        session_id: session.id,
        reason,
      });
      this.events.sessionRevoked({ userId: session.userId, sessionId: session.id, reason });
    }
    return ended;
  }

  /** Revokes the session of a token's claims (logout, refresh reuse); true when this call ended it. */
  async revokeFamilyOf(
    claims: { fam: string; sub: string; exp: number },
    reason: SessionRevocationReason,
  ): Promise<boolean> {
    const ended = await this.revoke(
      [{ id: claims.fam, userId: claims.sub, exp: claims.exp }],
      reason,
    );
    return ended.length > 0;
  }
}

/** The {@link SessionToRevoke} of a row. */
export function toRevoke(session: {
  id: string;
  userId: string;
  expiresAt: Date;
}): SessionToRevoke {
  return {
    id: session.id,
    userId: session.userId,
    exp: Math.floor(session.expiresAt.getTime() / 1000),
  };
}
