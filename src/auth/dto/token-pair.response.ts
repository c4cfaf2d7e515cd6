import { ApiProperty } from '@nestjs/swagger';
import type { TokenPair } from '../tokens/token-claims.js';

export class TokenPairResponse {
  @ApiProperty({
    description: 'Access token (JWT, Bearer).',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIn0.sig',
  })
  access: string;

  @ApiProperty({
    description: 'Refresh token (JWT); rotates on every refresh.',
    example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCJ9.sig',
  })
  refresh: string;

  @ApiProperty({ example: 'Bearer' })
  token_type: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
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
  })
  reset_token?: string;
}
