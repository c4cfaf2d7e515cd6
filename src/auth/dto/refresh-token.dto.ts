import { getSchemaPath, type SchemaObject } from '@nestjs/swagger';
import { TokenField } from './token-field.decorator.js';

export class RefreshTokenDto {
  @TokenField('The refresh token from login or the last refresh.', false)
  refresh?: string;

  @TokenField('Alias of `refresh`, as some clients of the original API send it.', false)
  refresh_token?: string;
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
