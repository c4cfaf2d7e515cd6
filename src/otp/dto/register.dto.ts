import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../common/dto/email-field.decorator.js';
import { Trim } from '../../common/dto/field-transforms.js';

export class RegisterDto {
  @EmailField()
  email: string;

  /** Checked exactly as received (no trimming) by the password policy. */
  @ApiProperty({ example: 'correct horse battery staple', minLength: 8, maxLength: 128 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  password: string;

  @ApiProperty({ example: 'Ada Lovelace', minLength: 1, maxLength: 150 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(150)
  full_name: string;
}
