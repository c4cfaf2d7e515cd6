import { EmailField } from '../../common/dto/email-field.decorator.js';
import { RegistrationIdField } from './registration-id.field.js';

export class ResendOtpDto {
  @EmailField()
  email: string;

  @RegistrationIdField(
    'The `registration_id` that register returned: the new code is for that registration. ' +
      'Without it, the newest pending registration of the address gets the new code.',
  )
  registration_id?: string;
}
