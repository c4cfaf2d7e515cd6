import {
  createParamDecorator,
  ExecutionContext,
  InternalServerErrorException,
} from '@nestjs/common';
import { httpRequestOf } from '../../common/http/http-request-of.js';

/** The caller as established by the Bearer guard. */
export interface AuthenticatedUser {
  /** User id. */
  id: string;
  /** The access token's id and expiry (seconds since epoch), for revoking it at logout. */
  jti: string;
  exp: number;
  /** The session (token family) the access token belongs to. */
  family: string;
}

/**
 * The authenticated caller. Fails loudly (500, logged) when used on a route the Bearer guard
 * does not protect, instead of handing `undefined` to the handler.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const request = httpRequestOf<{ user?: AuthenticatedUser }>(context);
    if (!request.user) {
      throw new InternalServerErrorException(
        '@CurrentUser() used on a route without the Bearer guard',
      );
    }
    return request.user;
  },
);
