import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from './field-transforms.js';
import { StorableText } from './storable-text.decorator.js';

/**
 * A `full_name` field: a string, trimmed, 1–150 characters, storable text. Validators run in
 * the order given (only the first failure is reported), so the type check comes first.
 */
export const FullNameField = (example: string): PropertyDecorator =>
  applyDecorators(
    IsString(),
    IsNotEmpty(),
    MaxLength(150),
    StorableText(),
    Trim(),
    ApiProperty({
      example,
      minLength: 1,
      maxLength: 150,
      description: '1 to 150 characters once trimmed.',
    }),
  );
