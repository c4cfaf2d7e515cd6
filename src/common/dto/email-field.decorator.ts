import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { isEmail, IsNotEmpty, IsString, MaxLength, ValidateBy } from 'class-validator';
import { NormalizeEmail } from './field-transforms.js';

/** No lone UTF-16 surrogate (a half of a pair): valid text never has one, no address either. */
const WELL_FORMED = /^[^\uD800-\uDFFF]*$/u;

/**
 * class-validator's `IsEmail`, false instead of a throw on a lone surrogate: its byte-length
 * check calls encodeURI ("URI malformed"), a 500 instead of a 400. Found by fuzzing
 * (test/adversarial). The check is inside the validator, not a validator before it, because a
 * host's global ValidationPipe runs every validator of a field, not only up to the first failure.
 */
const IsWellFormedEmail = (): PropertyDecorator =>
  ValidateBy({
    name: 'isEmail',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        WELL_FORMED.test(value) &&
        isEmail(value, { require_tld: true }),
      defaultMessage: (args) => `${args?.property ?? 'email'} must be a valid email address`,
    },
  });

/** An e-mail field: a string, trimmed and lower-cased, at most 254 characters, valid syntax. */
export const EmailField = (example = 'ada@example.com'): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example, maxLength: 254, format: 'email' }),
    NormalizeEmail(),
    IsString(),
    IsNotEmpty(),
    MaxLength(254),
    IsWellFormedEmail(),
  );
