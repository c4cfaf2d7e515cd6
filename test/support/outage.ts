import assert from 'node:assert/strict';
import { assertError } from './http-assertions.js';
import type { ApiClient, TestResponse } from './test-app.js';

/**
 * `GET /health` as terminus answers it: `info` lists what is up, `details` every component; a
 * 503 has the standard error fields as well.
 */
export interface HealthBody {
  status: 'ok' | 'error';
  info?: Record<string, { status: string }>;
  details?: Record<string, { status: string }>;
}

/**
 * Sends a request that needs a store that is down and checks the answer: 503 in the standard
 * error shape, within `withinMs` (a hang or a 500 fails), and never the success it would get
 * with the store up.
 */
export async function assertUnavailable(
  what: string,
  send: () => Promise<TestResponse>,
  withinMs: number,
  report?: (line: string) => void,
): Promise<number> {
  const started = performance.now();
  const response = await send();
  const ms = performance.now() - started;
  assert.equal(response.status, 503, `${what}: ${response.status} ${response.text}`);
  assertError(response, 503);
  assert.ok(ms < withinMs, `${what}: 503 after ${Math.round(ms)} ms, more than ${withinMs} ms`);
  report?.(`${what}: 503 in ${Math.round(ms)} ms`);
  return ms;
}

/** Checks that `/health` answers 503 naming `down` as down and `up` as up. */
export async function assertHealthDown(
  app: ApiClient,
  down: string,
  up: string,
  withinMs: number,
  report?: (line: string) => void,
): Promise<void> {
  const started = performance.now();
  const health = await app.get<HealthBody>('/health');
  const ms = performance.now() - started;
  assert.equal(health.status, 503, health.text);
  assert.equal(health.body.status, 'error');
  assert.equal(health.body.details?.[down]?.status, 'down', health.text);
  assert.equal(health.body.details?.[up]?.status, 'up', health.text);
  assert.deepEqual(Object.keys(health.body.info ?? {}), [up], health.text);
  assert.ok(ms < withinMs, `/health took ${Math.round(ms)} ms`);
  report?.(`/health: 503 in ${Math.round(ms)} ms, ${down} down, ${up} up`);
}

/** Polls `/health` until it answers 200, as a load balancer would; fails after `timeoutMs`. */
export async function waitUntilHealthy(app: ApiClient, timeoutMs = 20_000): Promise<number> {
  const started = performance.now();
  let last = '';
  while (performance.now() - started < timeoutMs) {
    const health = await app.get<HealthBody>('/health').catch((error: Error) => error);
    if (!(health instanceof Error) && health.status === 200) return performance.now() - started;
    last = health instanceof Error ? health.message : health.text;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.fail(`not healthy again within ${timeoutMs} ms: ${last}`);
}
