import { BadRequestException, Injectable } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import { AuthMessages } from '../auth.messages.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { presentedRefreshToken, type RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { SessionRevoker } from '../sessions/session-revoker.service.js';
import { TokenService } from '../tokens/token.service.js';

/**
 * `POST logout/`: ends the session of the presented refresh token and kills the access token
 * used for the call at once. A refresh token that is not the caller's own live one is refused
 * and nothing is revoked.
 */
@Injectable()
export class LogoutUseCase {
  private readonly securityLog = new SecurityLog('Logout');

  constructor(
    private readonly tokens: TokenService,
    private readonly revocation: TokenRevocationService,
    private readonly sessions: SessionRevoker,
  ) {}

  async execute(caller: AuthenticatedUser, dto: RefreshTokenDto): Promise<{ message: string }> {
    const claims = this.tokens.verify(presentedRefreshToken(dto), 'refresh');
    if (!claims || claims.sub !== caller.id || !(await this.revocation.isSessionValid(claims))) {
      throw new BadRequestException(AuthMessages.invalidLogoutToken);
    }
    // The family first: it takes the refresh token and every access token issued with it, so
    // that a request that fails half-way (a store down, a crash) leaves the session dead, not
    // half alive. The blacklisting of the refresh token comes last and is the claim that parallel
    // logouts with one token race for.
    await this.sessions.revokeFamilyOf(claims, 'logout');
    await this.revocation.revokeToken(
      { jti: caller.jti, type: 'access', userId: caller.id, exp: caller.exp },
      'logout',
    );
    const revoked = await this.revocation.revokeToken(
      { jti: claims.jti, type: 'refresh', userId: claims.sub, exp: claims.exp },
      'logout',
    );
    if (!revoked) throw new BadRequestException(AuthMessages.invalidLogoutToken);
    this.securityLog.info('logout', { user_id: caller.id, family: claims.fam });
    return { message: AuthMessages.loggedOut };
  }
}
