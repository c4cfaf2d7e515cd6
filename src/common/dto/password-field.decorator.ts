import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/**
 * A password the caller already has (login, change-password's current one, e-mail change): a
 * non-empty string of at most 1024 characters, checked as received (no trimming), never judged
 * by the policy. Validators run in the order given (only the first failure is reported), so the
 * type check comes first.
 */
export const PasswordField = (): PropertyDecorator =>
  applyDecorators(
    IsString(),
    IsNotEmpty(),
    MaxLength(1024),
    ApiProperty({ example: 'correct horse battery staple', minLength: 1, maxLength: 1024 }),
  );
