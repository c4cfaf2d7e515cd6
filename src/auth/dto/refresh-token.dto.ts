import { TokenField } from './token-field.decorator.js';

export class RefreshTokenDto {
  @TokenField('The refresh token from login or the last refresh.', false)
  refresh?: string;

  @TokenField('Alias of `refresh`, as some clients of the original API send it.', false)
  refresh_token?: string;
}
