import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { NormalizeEmail } from './field-transforms.js';

/** An e-mail field: a string, trimmed and lower-cased, at most 254 characters, valid syntax. */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example: 'ada@example.com', maxLength: 254, format: 'email' }),
    NormalizeEmail(),
    IsString(),
    IsNotEmpty(),
    MaxLength(254),
    IsEmail({ require_tld: true }, { message: 'email must be a valid email address' }),
  );
