/** The session list's messages. */
export const SessionMessages = {
  sessionNotFound: 'Session not found.',
  otherSessionsRevoked: 'Other sessions revoked.',
  invalidLimit: 'limit must be a whole number from 1 to 100',
  invalidCursor: 'cursor must be a next_cursor returned by this endpoint',
} as const;
