import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../common/dto/email-field.decorator.js';
import { FullNameField } from '../../common/dto/full-name-field.decorator.js';

export class RegisterDto {
  @EmailField()
  email: string;

  /** Checked exactly as received (no trimming) by the password policy. */
  @ApiProperty({
    example: 'correct horse battery staple',
    description:
      'PASSWORD_MIN_LENGTH (8 by default) to 128 characters, not a common password, not all digits, ' +
      'not like the e-mail or the name.',
    minLength: 8,
    maxLength: 128,
  })
  // Validators apply bottom-up and only the first failure is reported (stopAtFirstError): the
  // type check comes last, so that a missing or non-string value is reported as such.
  @MaxLength(1024)
  @IsNotEmpty()
  @IsString()
  password: string;

  @FullNameField('Ada Lovelace')
  full_name: string;
}
