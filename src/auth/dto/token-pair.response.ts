import { ApiProperty } from '@nestjs/swagger';
import type { TokenPair } from '../tokens/token-claims.js';

/** An example pair for the docs (not a valid token). */
export const TOKEN_PAIR_EXAMPLE = {
  access: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.sig',
  refresh: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.sig',
  token_type: 'Bearer',
  expires_in: 900,
} as const;

export class TokenPairResponse {
  @ApiProperty({
    description: 'Access token (JWT, Bearer).',
    example: TOKEN_PAIR_EXAMPLE.access,
  })
  access: string;

  @ApiProperty({
    description: 'Refresh token (JWT); rotates on every refresh.',
    example: TOKEN_PAIR_EXAMPLE.refresh,
  })
  refresh: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({
    type: 'integer',
    example: 900,
    description: 'Seconds until the access token expires.',
  })
  expires_in: number;
}

export function toTokenPairResponse(pair: TokenPair): TokenPairResponse {
  return {
    access: pair.access,
    refresh: pair.refresh,
    token_type: 'Bearer',
    expires_in: pair.accessExpiresIn,
  };
}

export class ResetTokenExposedResponse {
  @ApiProperty({
    example: 'If an account with that email exists, a password reset link has been sent.',
  })
  message: string;

  @ApiProperty({
    required: false,
    description: 'Only with AUTH_EXPOSE_RESET_TOKEN=true outside production.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVzZXQifQ.sig',
  })
  reset_token?: string;
}
