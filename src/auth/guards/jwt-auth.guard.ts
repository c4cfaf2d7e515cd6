import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { AccessTokenAuthenticator } from './access-token-authenticator.js';
import { extractBearerToken, OTP_AUTH_JWT_STRATEGY } from './jwt.strategy.js';

/**
 * The Bearer guard. Registered globally it protects every route (secure by default) except
 * those marked {@link Public}. A token already verified by passport-jwt goes straight to the
 * revocation check (see {@link AccessTokenAuthenticator}); any other goes through passport.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(OTP_AUTH_JWT_STRATEGY) {
  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: AccessTokenAuthenticator,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<{ user?: AuthenticatedUser }>();
    const token = extractBearerToken(request as Parameters<typeof extractBearerToken>[0]);
    const verified = token ? this.authenticator.recall(token) : undefined;
    if (!verified) return (await super.canActivate(context)) as boolean;
    const user = await this.authenticator.authenticate(verified);
    // The same answer passport gives for a token it refuses.
    if (!user) throw new UnauthorizedException();
    request.user = user;
    return true;
  }
}
