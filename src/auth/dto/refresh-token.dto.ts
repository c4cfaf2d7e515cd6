import { BadRequestException } from '@nestjs/common';
import { getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { AuthMessages } from '../auth.messages.js';
import { TokenField } from './token-field.decorator.js';

/** The field error for a body that names two different refresh tokens. */
export const TWO_REFRESH_TOKENS =
  'refresh_token must be the same token as refresh when both are sent';

/**
 * A refresh token, as `token/refresh/` and `logout/` take it: under `refresh` or under
 * `refresh_token`, which clients of the original API send (both endpoints accept both names).
 */
export class RefreshTokenDto {
  @TokenField('The refresh token from login or the last refresh.', false)
  refresh?: string;

  @TokenField('The same, under the name clients of the original API send.', false)
  refresh_token?: string;
}

/**
 * The refresh token a body carries, under either name. 400 "Refresh token is required." when it
 * carries none, and a field error when it names two different ones: which of them the client
 * meant cannot be guessed, and neither is picked silently.
 */
export function presentedRefreshToken(body: RefreshTokenDto): string {
  const { refresh, refresh_token: alias } = body;
  if (refresh && alias && refresh !== alias) throw new BadRequestException([TWO_REFRESH_TOKENS]);
  const token = refresh || alias;
  if (!token) throw new BadRequestException(AuthMessages.refreshTokenRequired);
  return token;
}

/**
 * The refresh body as documented: either field, and one of them is required (a body with neither
 * gets 400 "Refresh token is required."), which a class's properties cannot say.
 */
export const REFRESH_TOKEN_BODY: SchemaObject = {
  allOf: [{ $ref: getSchemaPath(RefreshTokenDto) }],
  anyOf: [{ required: ['refresh'] }, { required: ['refresh_token'] }],
  example: { refresh: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' },
};
