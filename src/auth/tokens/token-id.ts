import { v7 as uuidv7 } from 'uuid';

/**
 * A new token id (`jti`): a UUIDv7, unique like a random UUID but ordered by time. Rotated and
 * used tokens are inserted into the blacklist's unique `jti` index at the rate of refreshes; with
 * random ids every insert lands on another page of the index (a commit rewrites one page per
 * row), with time-ordered ids they land at its end (a few pages per group of rows). The time it
 * carries is the token's `iat` already, so it tells nothing new.
 */
export function newTokenId(): string {
  return uuidv7();
}
