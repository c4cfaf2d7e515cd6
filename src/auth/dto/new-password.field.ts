import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A new password: a string; the password policy judges it in the use case. */
export const NewPasswordField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      example: 'a brand new passphrase',
      description:
        'PASSWORD_MIN_LENGTH (8 by default) to 128 characters, not a common password, not all digits, ' +
        'not like the e-mail or the name.',
      minLength: 8,
      maxLength: 128,
    }),
    IsString(),
    IsNotEmpty(),
    MaxLength(1024),
  );
