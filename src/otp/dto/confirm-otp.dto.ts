import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches } from 'class-validator';
import { EmailField } from '../../common/dto/email-field.decorator.js';

export class ConfirmOtpDto {
  @EmailField()
  email: string;

  @ApiProperty({
    example: '042917',
    description: 'The code from the e-mail, as a string of digits.',
  })
  @IsString()
  @IsNotEmpty()
  @Matches(/^\d{4,10}$/, { message: 'otp must be a string of 4 to 10 digits' })
  otp: string;
}
