import { PasswordField } from '../../common/dto/password-field.decorator.js';
import { NewPasswordField } from './new-password.field.js';

export class ChangePasswordDto {
  @PasswordField()
  current_password: string;

  @NewPasswordField()
  new_password: string;
}
