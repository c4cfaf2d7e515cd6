import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { EmailField } from '../../common/dto/email-field.decorator.js';
import { RegistrationIdField } from './registration-id.field.js';

export class ConfirmOtpDto {
  @EmailField()
  email: string;

  @ApiProperty({
    example: '042917',
    description: 'The code from the e-mail, as a string of digits.',
    pattern: '^[0-9]{4,10}$',
    minLength: 4,
    maxLength: 10,
  })
  // Bottom-up, like every field: the type check reports first (see register.dto.ts).
  @Matches(/^\d{4,10}$/, { message: 'otp must be a string of 4 to 10 digits' })
  @IsNotEmpty()
  @IsString()
  otp: string;

  @RegistrationIdField(
    'The `registration_id` that register returned. With it, only the code of that registration ' +
      'confirms (any other code is a wrong guess); without it, the code of any pending ' +
      'registration of the address does, and the account is created with its data.',
  )
  registration_id?: string;
}
