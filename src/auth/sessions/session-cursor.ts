/** Where a page of the session list ends: the last row's creation time and id. */
export interface SessionCursor {
  createdAt: Date;
  id: string;
}

/** A session id as the service makes them (a random UUID). */
export const SESSION_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Longest cursor looked at; a real one is about 70 characters. */
const MAX_CURSOR_LENGTH = 128;

/**
 * The opaque `next_cursor`: base64url of `<created_at in ms>.<id>`. Opaque so that clients treat
 * it as a token to hand back, and the order it encodes can change without breaking them.
 */
export function encodeCursor(cursor: SessionCursor): string {
  return Buffer.from(`${cursor.createdAt.getTime()}.${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor a `next_cursor` names, or null for anything this service did not hand out. */
export function decodeCursor(text: string): SessionCursor | null {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) {
    return null;
  }
  const match = /^(\d{1,15})\.(.+)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match || !SESSION_ID_PATTERN.test(match[2])) return null;
  const createdAt = new Date(Number(match[1]));
  return Number.isNaN(createdAt.getTime()) ? null : { createdAt, id: match[2] };
}
