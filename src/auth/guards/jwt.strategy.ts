import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import passport from 'passport';
import { ExtractJwt } from 'passport-jwt';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { TokenService } from '../tokens/token.service.js';
import { AccessTokenAuthenticator } from './access-token-authenticator.js';

/** Name of the passport strategy. */
export const OTP_AUTH_JWT_STRATEGY = 'otp-auth-jwt';

/**
 * Where the Bearer token is read: the Authorization header only (never the query string). The
 * guard's shortcut for remembered tokens reads the same header, and only ever matches a token
 * this extractor returned before.
 */
export const extractBearerToken = ExtractJwt.fromAuthHeaderAsBearerToken();

type Request = Parameters<typeof extractBearerToken>[0];
type Done = (error: unknown, user?: Readonly<AuthenticatedUser> | false) => void;

/**
 * A passport strategy that hands the Bearer token itself to its verify callback. passport-jwt's
 * own strategy verifies with jsonwebtoken, which knows no EdDSA; ours verifies with
 * {@link TokenService}, the one verifier of every token otp-auth takes.
 */
class BearerTokenStrategy extends passport.Strategy {
  constructor(private readonly verify: (request: Request, token: string, done: Done) => void) {
    super();
  }

  override authenticate(request: Request): void {
    const token = extractBearerToken(request);
    if (!token) return this.fail(401);
    this.verify(request, token, (error, user) => {
      if (error) this.error(error);
      else if (user) this.success(user);
      else this.fail(401);
    });
  }
}

/** A Bearer access token: valid signature, issuer, audience and expiry, type `access`, not revoked. */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerTokenStrategy, OTP_AUTH_JWT_STRATEGY) {
  constructor(
    private readonly tokens: TokenService,
    private readonly authenticator: AccessTokenAuthenticator,
  ) {
    super();
  }

  /** Returning false makes passport answer 401; a store failure propagates as 503. */
  async validate(_request: Request, token: string): Promise<Readonly<AuthenticatedUser> | false> {
    const claims = this.tokens.verify(token, 'access');
    if (!claims) return false;
    const verified = this.authenticator.prepare(claims);
    const authentication = await this.authenticator.authenticate(verified);
    if (!authentication) return false;
    this.authenticator.remember(token, verified);
    return authentication.user;
  }
}
