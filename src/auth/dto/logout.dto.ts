import { TokenField } from './token-field.decorator.js';

export class LogoutDto {
  @TokenField('The refresh token of the session to end.')
  refresh_token?: string;
}
