import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, ValidateIf } from 'class-validator';
import { MAX_TOKEN_LENGTH } from '../tokens/token.service.js';

/**
 * A token field: when present it must be a string of at most 4096 characters. Absence (and the
 * empty string) is left to the use case, which answers with the endpoint's own "… is required."
 */
export const TokenField = (description: string, required = true): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description,
      required,
      minLength: 1,
      maxLength: MAX_TOKEN_LENGTH,
      example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…',
    }),
    ValidateIf((_object, value) => value !== undefined && value !== ''),
    IsString(),
    MaxLength(MAX_TOKEN_LENGTH),
  );
