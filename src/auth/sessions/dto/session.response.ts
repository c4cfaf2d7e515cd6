import { ApiProperty } from '@nestjs/swagger';
import { SessionMessages } from '../sessions.messages.js';

/** An example session for the docs. */
export const SESSION_EXAMPLE = {
  id: '3f0b8c52-6a1e-4c1b-9d0e-2b7f5a9c4e31',
  created_at: '2026-12-06T09:12:44.120Z',
  last_used_at: '2026-12-06T10:40:02.511Z',
  ip: '203.0.113.7',
  user_agent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  label: 'Firefox on Linux',
  current: true,
} as const;

/** One live session of the caller. */
export class SessionResponse {
  @ApiProperty({ example: SESSION_EXAMPLE.id, description: 'Session id (its token family).' })
  id: string;

  @ApiProperty({ example: SESSION_EXAMPLE.created_at, description: 'When the login happened.' })
  created_at: string;

  @ApiProperty({
    example: SESSION_EXAMPLE.last_used_at,
    description: 'The last token refresh, to the minute (it may lag by up to 60 seconds).',
  })
  last_used_at: string;

  @ApiProperty({ example: SESSION_EXAMPLE.ip, description: 'Client address of the login.' })
  ip: string;

  @ApiProperty({
    example: SESSION_EXAMPLE.user_agent,
    description: 'User-Agent of the login, at most 512 characters.',
  })
  user_agent: string;

  @ApiProperty({ example: SESSION_EXAMPLE.label, description: 'Short name of the client.' })
  label: string;

  @ApiProperty({ example: true, description: 'True for the session of the access token used.' })
  current: boolean;
}

/** `GET sessions/`. */
export class SessionListResponse {
  @ApiProperty({ type: [SessionResponse], description: 'Newest first.' })
  sessions: SessionResponse[];

  @ApiProperty({
    type: 'string',
    nullable: true,
    example: null,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  next_cursor: string | null;
}

/** `POST sessions/revoke-others/`. */
export class RevokeOthersResponse {
  @ApiProperty({ example: SessionMessages.otherSessionsRevoked })
  message: string;

  @ApiProperty({ example: 2, description: 'How many sessions were revoked.' })
  revoked: number;
}
