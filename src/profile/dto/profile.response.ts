import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../../users/user.entity.js';

/** A profile as the docs show it. */
export const PROFILE_EXAMPLE = {
  id: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e',
  email: 'ada@example.com',
  full_name: 'Ada Lovelace',
  is_active: true,
  date_joined: '2026-11-25T10:00:00.000Z',
};

export class ProfileResponse {
  @ApiProperty({ example: '5b0c1a8e-3c55-4d5e-9a61-0f8a4b1d2c3e', format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  full_name: string;

  @ApiProperty({ example: true })
  is_active: boolean;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z', format: 'date-time' })
  date_joined: string;
}

export function toProfileResponse(user: User): ProfileResponse {
  return {
    id: user.id,
    email: user.email,
    full_name: user.fullName,
    is_active: user.isActive,
    date_joined: user.dateJoined.toISOString(),
  };
}
