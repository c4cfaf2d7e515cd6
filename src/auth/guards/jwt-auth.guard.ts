import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import {
  PREFETCH_KEY,
  setPrefetched,
  type PrefetchingRequest,
  type StoreKeyOf,
} from '../decorators/prefetch.decorator.js';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { httpRequestOf } from '../../common/http/http-request-of.js';
import { RouteMemo } from '../../common/http/route-memo.js';
import { InvalidAccessTokenException } from '../../common/errors/invalid-access-token.exception.js';
import { AccessTokenAuthenticator } from './access-token-authenticator.js';
import { extractBearerToken, OTP_AUTH_JWT_STRATEGY } from './jwt.strategy.js';

/** What `canActivate` answers for a public route, made once. */
const PUBLIC_ROUTE = Promise.resolve(true);

/** What the guard needs to know of a route, read from its metadata once. */
interface RouteAuth {
  readonly isPublic: boolean;
  /** The key read along with the Bearer check (see PrefetchFromStore). */
  readonly prefetch?: StoreKeyOf;
}

type BearerRequest = PrefetchingRequest & {
  headers: Record<string, unknown>;
  user?: AuthenticatedUser;
};

/**
 * The Bearer guard. Registered globally it protects every route (secure by default) except
 * those marked {@link Public}. A token already verified by the strategy goes straight to the
 * revocation check (see {@link AccessTokenAuthenticator}); any other goes through passport.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(OTP_AUTH_JWT_STRATEGY) {
  /** Whether each route is public and what it prefetches, read from its metadata once. */
  private readonly routes = new RouteMemo<RouteAuth>();

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: AccessTokenAuthenticator,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.route(context);
    return route.isPublic ? PUBLIC_ROUTE : this.authenticate(context, route.prefetch);
  }

  /**
   * The Bearer check alone: the caller of a request, or 401. Also run before the body of a
   * request to a Bearer route is read (see `bearer-before-body.ts`), so that an unauthenticated
   * caller learns nothing from how its body would have been judged. With `prefetch`, a
   * remembered token's check also reads the route's key (see PrefetchFromStore); a token seen
   * for the first time goes through passport, and the handler reads the key itself.
   */
  async authenticate(context: ExecutionContext, prefetch?: StoreKeyOf): Promise<boolean> {
    const request = httpRequestOf<BearerRequest>(context);
    const token = canonicalBearerToken(request.headers.authorization);
    const verified = token ? this.authenticator.recall(token) : undefined;
    if (!verified) return (await super.canActivate(context)) as boolean;
    const authentication = await this.authenticator.authenticate(verified, prefetch);
    // The same answer passport gives for a token it refuses (see handleRequest).
    if (!authentication) throw new InvalidAccessTokenException();
    request.user = authentication.user;
    if (authentication.prefetched !== undefined) {
      setPrefetched(request, authentication.prefetched);
    }
    return true;
  }

  /**
   * passport's verdict. A refusal names its cause for the `WWW-Authenticate` challenge: a token
   * that was sent and refused (`invalid_token`), or none at all. Errors (a store that does not
   * answer: 503) pass as they are.
   */
  override handleRequest<TUser>(
    error: Error | null,
    user: TUser | false,
    _info: unknown,
    context: ExecutionContext,
  ): TUser {
    if (error) throw error;
    if (user) return user;
    const request: unknown = context.switchToHttp().getRequest();
    throw extractBearerToken(request as Parameters<typeof extractBearerToken>[0])
      ? new InvalidAccessTokenException()
      : new UnauthorizedException();
  }

  private route(context: ExecutionContext): RouteAuth {
    const controller = context.getClass();
    const handler = context.getHandler();
    return (
      this.routes.get(controller, handler) ??
      this.routes.set(controller, handler, {
        isPublic:
          this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, controller]) ?? false,
        prefetch: this.reflector.get<StoreKeyOf | undefined>(PREFETCH_KEY, handler),
      })
    );
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header in its usual spelling, for the shortcut
 * of remembered tokens. It need not parse every form the extractor accepts: a header spelt
 * otherwise, or anything but a remembered token, goes through passport as before.
 */
function canonicalBearerToken(header: unknown): string | undefined {
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
}
