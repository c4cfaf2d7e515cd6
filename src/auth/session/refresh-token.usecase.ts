import { Injectable, UnauthorizedException } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { AuthMessages } from '../auth.messages.js';
import { presentedRefreshToken, type RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { toTokenPairResponse, type TokenPairResponse } from '../dto/token-pair.response.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { SecurityAlerts } from '../alerts/security-alerts.service.js';
import { LastUsedWriter } from '../sessions/last-used-writer.js';
import type { LoginClient } from '../sessions/session-opener.service.js';
import { SessionRevoker } from '../sessions/session-revoker.service.js';
import type { RefreshClaims } from '../tokens/token-claims.js';
import { TokenService } from '../tokens/token.service.js';

/**
 * `POST token/refresh/`: rotation with reuse detection. The presented token is blacklisted as
 * `rotated` by an atomic insert, so of parallel presentations exactly one rotates it. Presenting
 * it again is theft and revokes the whole family — unless it comes within
 * `REFRESH_REUSE_GRACE` seconds of the rotation (tabs refreshing at once), which gets a pair of
 * the same family instead.
 */
@Injectable()
export class RefreshTokenUseCase {
  private readonly securityLog = new SecurityLog('TokenRefresh');
  private readonly graceMs: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly revocation: TokenRevocationService,
    private readonly sessions: SessionRevoker,
    private readonly lastUsed: LastUsedWriter,
    private readonly alerts: SecurityAlerts,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.graceMs = options.auth.refreshReuseGrace * 1000;
  }

  /** `client` is the presenting request: named to the owner if the token turns out reused. */
  async execute(dto: RefreshTokenDto, client: Pick<LoginClient, 'ip'>): Promise<TokenPairResponse> {
    const claims = this.tokens.verify(presentedRefreshToken(dto), 'refresh');
    if (!claims || !(await this.revocation.isFamilyAndUserValid(claims))) {
      throw new UnauthorizedException(AuthMessages.invalidRefreshToken);
    }

    // The blacklisting is the claim, decided by the database: it fails for a token already
    // rotated or logged out, and for all but one of parallel refreshes, on any instance. Its
    // cached state is not consulted first: it is marked revoked before its row is committed,
    // and the losers of a race must find the winner's row to be answered within the grace.
    const rotated = await this.revocation.revokeToken(
      { jti: claims.jti, type: 'refresh', userId: claims.sub, exp: claims.exp },
      'rotated',
    );
    if (!rotated) {
      // Already revoked: tell reuse apart from mere invalidity, and within the grace period
      // answer it with a pair.
      const pair = await this.handleReuse(claims, client);
      if (pair) return pair;
      throw new UnauthorizedException(AuthMessages.invalidRefreshToken);
    }
    // Not awaited, and at most once a minute per session: see LastUsedWriter.
    this.lastUsed.refreshed(claims.fam, claims.iat);
    return toTokenPairResponse(this.tokens.rotate(claims));
  }

  /**
   * A token that was already revoked: within the grace period after its rotation it yields a
   * new pair of the same family; otherwise a rotated token means theft and the family dies.
   */
  private async handleReuse(
    claims: RefreshClaims,
    client: Pick<LoginClient, 'ip'>,
  ): Promise<TokenPairResponse | null> {
    const revocation = await this.revocation.findRevocation(claims.jti);
    if (revocation?.reason !== 'rotated') return null;
    if (this.graceMs > 0 && Date.now() - revocation.createdAt.getTime() <= this.graceMs) {
      if (await this.revocation.isFamilyAndUserValid(claims))
        return toTokenPairResponse(this.tokens.rotate(claims));
      return null;
    }
    const ended = await this.sessions.revokeFamilyOf(claims, 'reuse_detected');
    // Every presentation is logged; the owner is told once, by the request that ended the session.
    this.securityLog.warn('refresh_reuse_detected', { user_id: claims.sub, family: claims.fam });
    if (ended) {
      this.alerts.reuseDetected({
        userId: claims.sub,
        sessionId: claims.fam,
        presentedFromIp: client.ip,
      });
    }
    return null;
  }
}
