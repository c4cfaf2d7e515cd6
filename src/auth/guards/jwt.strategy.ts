import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { createSigningKey, JWT_ALGORITHM } from '../tokens/token-signing-key.js';
import { isClaimsOf } from '../tokens/token.service.js';
import { AccessTokenAuthenticator } from './access-token-authenticator.js';

/** Name of the passport strategy. */
export const OTP_AUTH_JWT_STRATEGY = 'otp-auth-jwt';

/**
 * Where the Bearer token is read: the Authorization header only (never the query string). The
 * guard's shortcut for remembered tokens reads the same header, and only ever matches a token
 * this extractor returned before.
 */
export const extractBearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * passport-jwt: a Bearer access token, HS256 only, our issuer and audience, type `access`, and
 * not revoked.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, OTP_AUTH_JWT_STRATEGY) {
  constructor(
    private readonly authenticator: AccessTokenAuthenticator,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    super({
      jwtFromRequest: extractBearerToken,
      // A KeyObject, not the string: see token-signing-key.ts.
      secretOrKey: createSigningKey(options.auth.jwtSecret) as unknown as string,
      algorithms: [JWT_ALGORITHM],
      issuer: options.auth.issuer,
      audience: options.auth.audience,
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /** Returning false makes passport answer 401; a store failure propagates as 503. */
  async validate(request: unknown, payload: unknown): Promise<Readonly<AuthenticatedUser> | false> {
    if (!isClaimsOf(payload, 'access')) return false;
    const verified = this.authenticator.prepare(payload);
    const user = await this.authenticator.authenticate(verified);
    const token = extractBearerToken(request as Parameters<typeof extractBearerToken>[0]);
    if (user && token) this.authenticator.remember(token, verified);
    return user;
  }
}
