import { BadRequestException } from '@nestjs/common';
import { decodeCursor, type SessionCursor } from '../session-cursor.js';
import { SessionMessages as M } from '../sessions.messages.js';

/** Sessions per page unless `limit` says otherwise, and the most it may say. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A page of the session list as asked for. */
export interface SessionPage {
  limit: number;
  after?: SessionCursor;
}

/**
 * `?limit=` and `?cursor=`, checked by hand: a query string has no types (a repeated parameter is
 * an array), and these two rules are all there is. A bad value gets 400 naming the parameter, in
 * the field-error shape of the validation pipe; other parameters are ignored like unknown fields.
 */
export function parseSessionPage(query: Record<string, unknown>): SessionPage {
  const problems: string[] = [];
  let limit = DEFAULT_PAGE_SIZE;
  if (query.limit !== undefined) {
    const text = query.limit;
    if (
      typeof text === 'string' &&
      /^\d{1,3}$/.test(text) &&
      +text >= 1 &&
      +text <= MAX_PAGE_SIZE
    ) {
      limit = Number(text);
    } else {
      problems.push(M.invalidLimit);
    }
  }
  let after: SessionCursor | undefined;
  if (query.cursor !== undefined) {
    const cursor = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : null;
    if (cursor) after = cursor;
    else problems.push(M.invalidCursor);
  }
  if (problems.length > 0) throw new BadRequestException(problems);
  return { limit, after };
}
