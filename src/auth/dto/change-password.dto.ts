import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NewPasswordField } from './new-password.field.js';

export class ChangePasswordDto {
  @ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: 1024 })
  // Bottom-up with stopAtFirstError: the type check must run first (see register.dto.ts).
  @MaxLength(1024)
  @IsNotEmpty()
  @IsString()
  current_password: string;

  @NewPasswordField()
  new_password: string;
}
