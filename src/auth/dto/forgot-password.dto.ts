import { EmailField } from '../../common/dto/email-field.decorator.js';

export class ForgotPasswordDto {
  @EmailField()
  email: string;
}
