import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../common/dto/field-transforms.js';
import { StorableText } from '../../common/dto/storable-text.decorator.js';

/** Only `full_name` can change; any other field (email, is_active, id…) is ignored. */
export class UpdateProfileDto {
  @ApiProperty({ example: 'Ada King', minLength: 1, maxLength: 150 })
  @Trim()
  @StorableText()
  // Bottom-up with stopAtFirstError: the type check must run first (see register.dto.ts).
  @MaxLength(150)
  @IsNotEmpty()
  @IsString()
  full_name: string;
}
