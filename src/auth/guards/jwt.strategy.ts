import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { createSigningKey, JWT_ALGORITHM } from '../tokens/token-signing-key.js';
import { isClaimsOf } from '../tokens/token.service.js';

/** Name of the passport strategy. */
export const OTP_AUTH_JWT_STRATEGY = 'otp-auth-jwt';

/**
 * passport-jwt: a Bearer access token from the Authorization header only (never the query
 * string), HS256 only, our issuer and audience, type `access`, and not revoked.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, OTP_AUTH_JWT_STRATEGY) {
  constructor(
    private readonly revocation: TokenRevocationService,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // A KeyObject, not the string: see token-signing-key.ts.
      secretOrKey: createSigningKey(options.auth.jwtSecret) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      issuer: options.auth.issuer,
      audience: options.auth.audience,
      ignoreExpiration: false,
    });
  }

  /** Returning false makes passport answer 401; a store failure propagates as 503. */
  async validate(payload: unknown): Promise<AuthenticatedUser | false> {
    if (!isClaimsOf(payload, 'access')) return false;
    if (!(await this.revocation.isSessionValid(payload))) return false;
    return { id: payload.sub, jti: payload.jti, exp: payload.exp, family: payload.fam };
  }
}
