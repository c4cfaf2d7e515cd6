import { NewPasswordField } from './new-password.field.js';
import { TokenField } from './token-field.decorator.js';

export class ResetPasswordDto {
  @TokenField('The reset token from the e-mail.')
  token?: string;

  @NewPasswordField()
  new_password: string;
}
