import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { ApiError, ApiStoreUnavailable } from '../../common/http/api-error.decorator.js';

/**
 * Marks a route as needing a Bearer access token, in the docs and their 401 example alike (the
 * global guard enforces it), so docs and auth never drift. The guard checks revocation in the
 * store, hence the 503 when it does not answer.
 */
export const BearerAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
    ApiBearerAuth(),
    ApiError(
      401,
      'Missing, invalid, expired or revoked access token: log in, then **Authorize** with `access`.',
      'Unauthorized',
    ),
    ApiStoreUnavailable(),
  );
