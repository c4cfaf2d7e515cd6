import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches } from 'class-validator';

/**
 * An `otp` field: the code from an e-mail, a string of 4 to 10 digits. Validators run in the
 * order given (only the first failure is reported), so the type check comes first.
 */
export const OtpField = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    IsNotEmpty(),
    Matches(/^\d{4,10}$/, { message: 'otp must be a string of 4 to 10 digits' }),
    ApiProperty({
      example: '042917',
      description: 'The code from the e-mail, as a string of digits.',
      pattern: '^[0-9]{4,10}$',
      minLength: 4,
      maxLength: 10,
    }),
  );
