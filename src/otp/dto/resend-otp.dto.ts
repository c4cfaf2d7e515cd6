import { EmailField } from '../../common/dto/email-field.decorator.js';

export class ResendOtpDto {
  @EmailField()
  email: string;
}
