import { applyDecorators } from '@nestjs/common';
import { ValidateBy } from 'class-validator';

/** A lone UTF-16 surrogate: half of a pair, which no well-formed text has. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Text that is stored as sent, on every database. Refuses the NUL character, which PostgreSQL
 * cannot store in a text column ("invalid byte sequence for encoding UTF8: 0x00": a 500), and
 * lone surrogates, which the drivers silently store as U+FFFD (what is read back is not what
 * was sent). Both found by fuzzing; DRF, whose API this one keeps, refuses NUL in every
 * CharField too.
 */
export const StorableText = (): PropertyDecorator =>
  applyDecorators(
    ValidateBy({
      name: 'noNullCharacters',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !value.includes('\u0000'),
        defaultMessage: (args) => `${args?.property} must not contain null characters`,
      },
    }),
    ValidateBy({
      name: 'wellFormedText',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && !LONE_SURROGATE.test(value),
        defaultMessage: (args) => `${args?.property} must be well-formed Unicode text`,
      },
    }),
  );
