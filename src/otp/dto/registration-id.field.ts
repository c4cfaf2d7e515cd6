import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, ValidateIf } from 'class-validator';

/** A version 4 UUID in lower case, as `register` hands it out. */
const REGISTRATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * The optional `registration_id` that `register` returned: absent, it is left out; present, it
 * must be one (a string of that format), and `null` is refused like any other non-string.
 */
export const RegistrationIdField = (description: string): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      example: '2f1c6b1e-7d4a-4c1e-9b0a-3e5f8d2c7a14',
      format: 'uuid',
      description,
    }),
    ValidateIf((_, value) => value !== undefined),
    // Validators run in the order given; only the first failure is reported.
    IsString(),
    Matches(REGISTRATION_ID, { message: 'registration_id must be a UUID' }),
  );
