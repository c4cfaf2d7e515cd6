import { EmailField } from '../../common/dto/email-field.decorator.js';
import { OtpField } from '../../common/dto/otp-field.decorator.js';
import { RegistrationIdField } from './registration-id.field.js';

export class ConfirmOtpDto {
  @EmailField()
  email: string;

  @OtpField()
  otp: string;

  @RegistrationIdField(
    'The `registration_id` that register returned. With it, only the code of that registration ' +
      'confirms (any other code is a wrong guess); without it, the code of any pending ' +
      'registration of the address does, and the account is created with its data.',
  )
  registration_id?: string;
}
