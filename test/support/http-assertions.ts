import assert from 'node:assert/strict';
import type { TestResponse } from './test-app.js';

/** Traces of internals an error body must never show: stack frames, source or module paths. */
const INTERNALS = [
  /\bat \S+ \(/,
  /^\s*at /m,
  /node_modules/,
  /\/(src|build|dist)\//,
  /\.[cm]?[jt]s:\d+/,
];

/**
 * Checks an error response: the status, Nest's standard body (`statusCode`, `error`, `message`)
 * and, when given, the exact message. No stack trace or file path may show.
 */
export function assertError(
  response: TestResponse,
  status: number,
  message?: string | string[],
): void {
  assert.equal(
    response.status,
    status,
    `expected ${status}, got ${response.status}: ${response.text}`,
  );
  assertErrorShape(response);
  assert.equal(response.body.statusCode, status);
  if (message !== undefined) assert.deepEqual(response.body.message, message);
}

/** The standard error body, whatever the status, with nothing of the internals in it. */
export function assertErrorShape(response: TestResponse): void {
  assert.equal(typeof response.body, 'object', `error body is not JSON: ${response.text}`);
  assert.equal(response.body.statusCode, response.status);
  assert.equal(typeof response.body.error, 'string');
  const { message } = response.body as { message: unknown };
  assert.ok(
    typeof message === 'string' ||
      (Array.isArray(message) &&
        message.length > 0 &&
        message.every((part) => typeof part === 'string')),
    `message must be a string or an array of strings: ${response.text}`,
  );
  for (const pattern of INTERNALS) {
    assert.doesNotMatch(response.text, pattern, 'the error body shows internals');
  }
}

/** A client error, never a server error, in the standard shape. */
export function assertClientError(response: TestResponse): void {
  assert.ok(
    response.status >= 400 && response.status < 500,
    `expected a 4xx, got ${response.status}: ${response.text}`,
  );
  assertErrorShape(response);
}

/**
 * A validation message names `field` (a ValidationPipe message starts with the field's name) and,
 * when given, says `says` about it.
 */
export function assertNamesField(response: TestResponse, field: string, says?: string): void {
  const messages = ([] as unknown[]).concat(response.body.message);
  const own = messages.filter(
    (message): message is string => typeof message === 'string' && message.startsWith(field),
  );
  assert.ok(own.length > 0, `no message names "${field}": ${response.text}`);
  if (says !== undefined) {
    assert.ok(
      own.some((message) => message.includes(says)),
      `no message says "${field} ${says}": ${response.text}`,
    );
  }
}

/** Checks that none of `secrets` appears anywhere in `text` (a body, headers, logs). */
export function assertNotIn(text: string, secrets: readonly string[], where: string): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${where} contains "${secret}"`);
  }
}

/** A response's status line, headers and body as one string, to look for leaks in all of it. */
export function wholeResponse(response: TestResponse): string {
  return `${response.status}\n${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n\n${response.text}`;
}
