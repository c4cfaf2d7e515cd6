import { EmailField } from '../../common/dto/email-field.decorator.js';
import { PasswordField } from '../../common/dto/password-field.decorator.js';

export class LoginDto {
  @EmailField()
  email: string;

  @PasswordField()
  password: string;
}
