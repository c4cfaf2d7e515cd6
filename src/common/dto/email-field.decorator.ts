import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { NormalizeEmail } from './field-transforms.js';

const INVALID_EMAIL = 'email must be a valid email address';

/** No lone UTF-16 surrogate (a half of a pair): valid text never has one, no address either. */
const WELL_FORMED = /^[^\uD800-\uDFFF]*$/u;

/** An e-mail field: a string, trimmed and lower-cased, at most 254 characters, valid syntax. */
export const EmailField = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example: 'ada@example.com', maxLength: 254, format: 'email' }),
    NormalizeEmail(),
    IsString(),
    IsNotEmpty(),
    MaxLength(254),
    // Before IsEmail, which throws on a lone surrogate (its byte-length check calls encodeURI:
    // "URI malformed") — a 500 instead of a 400. Found by fuzzing (test/adversarial).
    Matches(WELL_FORMED, { message: INVALID_EMAIL }),
    IsEmail({ require_tld: true }, { message: INVALID_EMAIL }),
  );
