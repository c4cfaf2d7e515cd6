import type { HeaderObject } from '@nestjs/swagger';

/** Response headers as an OpenAPI document lists them, by name. */
export type DocumentedHeaders = Readonly<Record<string, HeaderObject>>;

/** `Retry-After` of a 429 (SPEC: seconds). Not sent when waiting does not help (attempts exhausted). */
export const RETRY_AFTER: DocumentedHeaders = {
  'Retry-After': {
    description: 'Seconds to wait before trying again, when waiting helps.',
    schema: { type: 'integer', minimum: 1, example: 60 },
  },
};

/** The challenge of a 401 (SPEC "Changes", 2026-12-06; RFC 6750 §3). */
export const WWW_AUTHENTICATE: DocumentedHeaders = {
  'WWW-Authenticate': {
    description: 'The authentication scheme to use: `Bearer`, with RFC 6750 parameters.',
    required: true,
    schema: { type: 'string', pattern: '^Bearer\\b', example: 'Bearer' },
  },
};

/** Answers that carry tokens or account data must not be stored by any cache (SPEC). */
export const NO_STORE: DocumentedHeaders = {
  'Cache-Control': {
    description: 'No cache may keep this answer: it carries tokens or account data.',
    required: true,
    schema: { type: 'string', enum: ['no-store'] },
  },
};

/**
 * What @nestjs/throttler sends on a request the per-IP limit (`RATE_LIMIT_PER_IP` per minute on
 * the public POST endpoints) counted: every answer given after its guard, that is all but a body
 * that could not be read (400 malformed JSON, 413, 415) and its own 429.
 */
export const RATE_LIMIT: DocumentedHeaders = {
  'X-RateLimit-Limit': {
    description: 'Requests allowed per minute from this IP on the public POST endpoints.',
    schema: { type: 'integer', minimum: 1, example: 100 },
  },
  'X-RateLimit-Remaining': {
    description: 'Requests left in the current minute.',
    schema: { type: 'integer', minimum: 0, example: 99 },
  },
  'X-RateLimit-Reset': {
    description: 'Seconds until the current minute ends and the count starts again.',
    schema: { type: 'integer', minimum: 1, example: 60 },
  },
};
