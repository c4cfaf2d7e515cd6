import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { EmailField } from '../../common/dto/email-field.decorator.js';

export class LoginDto {
  @EmailField()
  email: string;

  @ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: 1024 })
  // Bottom-up with stopAtFirstError: the type check must run first (see register.dto.ts).
  @MaxLength(1024)
  @IsNotEmpty()
  @IsString()
  password: string;
}
