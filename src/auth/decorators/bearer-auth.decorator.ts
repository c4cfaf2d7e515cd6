import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiError, ApiStoreUnavailable } from '../../common/http/api-error.decorator.js';
import { IS_PUBLIC_KEY } from './public.decorator.js';

/**
 * Metadata key: the handler serves a Bearer route. Read from the route's handler before the
 * request body is (see `bearer-before-body.ts`); the guard itself goes by {@link IS_PUBLIC_KEY}.
 */
export const BEARER_ROUTE_KEY = 'otp-auth:bearerRoute';

/**
 * Marks a route as needing a Bearer access token, in the docs and their 401 example alike (the
 * global guard enforces it), so docs and auth never drift. The guard checks revocation in the
 * store, hence the 503 when it does not answer.
 */
export const BearerAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    MarkBearerRoute(),
    ApiBearerAuth(),
    ApiError(
      401,
      'Missing, invalid, expired or revoked access token: log in, then **Authorize** with `access`.',
      'Unauthorized',
    ),
    ApiStoreUnavailable(),
  );

/**
 * Sets {@link BEARER_ROUTE_KEY} on a handler, or on a controller's every handler not marked
 * public: Nest gives the HTTP adapter a route's own metadata, not its controller's. Method
 * decorators run before class decorators, so a handler's `@Public()` is already there to see.
 */
function MarkBearerRoute(): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const prototype = (target as { prototype: object }).prototype;
    const handlers: unknown[] = descriptor
      ? [descriptor.value]
      : Object.entries(Object.getOwnPropertyDescriptors(prototype))
          .filter(([name]) => name !== 'constructor')
          .map(([, property]): unknown => property.value);
    for (const handler of handlers) {
      if (typeof handler !== 'function' || Reflect.getMetadata(IS_PUBLIC_KEY, handler) === true) {
        continue;
      }
      Reflect.defineMetadata(BEARER_ROUTE_KEY, true, handler);
    }
  };
}
