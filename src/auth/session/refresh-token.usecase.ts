import { BadRequestException, Injectable, Logger, UnauthorizedException } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { AuthMessages } from '../auth.messages.js';
import type { RefreshTokenDto } from '../dto/refresh-token.dto.js';
import { toTokenPairResponse, type TokenPairResponse } from '../dto/token-pair.response.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
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
  private readonly logger = new Logger('TokenRefresh');
  private readonly graceMs: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly revocation: TokenRevocationService,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.graceMs = options.auth.refreshReuseGrace * 1000;
  }

  async execute(dto: RefreshTokenDto): Promise<TokenPairResponse> {
    const token = dto.refresh || dto.refresh_token;
    if (!token) throw new BadRequestException(AuthMessages.refreshTokenRequired);

    const claims = this.tokens.verify(token, 'refresh');
    // The token's own blacklisting is not looked up here: the insert below is an atomic claim on
    // its unique jti and fails for a blacklisted token anyway, which saves a database read on
    // every refresh (a new token is never in the cache).
    if (!claims || !(await this.revocation.isFamilyAndUserValid(claims))) {
      // A token of a revoked family may still be a rotated one being reused; tell reuse apart
      // from mere invalidity.
      const pair = claims ? await this.handleReuse(claims) : null;
      if (pair) return pair;
      throw new UnauthorizedException(AuthMessages.invalidRefreshToken);
    }

    const rotated = await this.revocation.revokeToken(
      { jti: claims.jti, type: 'refresh', userId: claims.sub, exp: claims.exp },
      'rotated',
    );
    if (!rotated) {
      // Already blacklisted: rotated before (reuse, or a lost race with a parallel refresh of
      // the same token; within the grace period both get a pair) or logged out.
      const pair = await this.handleReuse(claims);
      if (pair) return pair;
      throw new UnauthorizedException(AuthMessages.invalidRefreshToken);
    }
    return toTokenPairResponse(this.tokens.rotate(claims));
  }

  /**
   * A token that was already revoked: within the grace period after its rotation it yields a
   * new pair of the same family; otherwise a rotated token means theft and the family dies.
   */
  private async handleReuse(claims: RefreshClaims): Promise<TokenPairResponse | null> {
    const revocation = await this.revocation.findRevocation(claims.jti);
    if (revocation?.reason !== 'rotated') return null;
    if (this.graceMs > 0 && Date.now() - revocation.createdAt.getTime() <= this.graceMs) {
      if (await this.revocation.isFamilyAndUserValid(claims))
        return toTokenPairResponse(this.tokens.rotate(claims));
      return null;
    }
    await this.revocation.revokeFamily(claims, 'reuse_detected');
    this.logger.warn(
      JSON.stringify({ event: 'refresh_reuse_detected', user_id: claims.sub, family: claims.fam }),
    );
    return null;
  }
}
