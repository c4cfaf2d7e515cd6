import type { BenchSmtpSink } from './smtp-sink.js';

/** A password the policy accepts for every address and name the bench makes up. */
export const BENCH_PASSWORD = 'violet lantern harbor';
export const BENCH_FULL_NAME = 'Bench User';

export interface Session {
  email: string;
  access: string;
  refresh: string;
}

async function post(baseUrl: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const parsed: unknown = await response.json();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

/** Registers and confirms an account through the HTTP API, reading the code from the sink. */
export async function createAccount(
  baseUrl: string,
  sink: BenchSmtpSink,
  email: string,
): Promise<void> {
  await post(baseUrl, '/api/users/register/', {
    email,
    password: BENCH_PASSWORD,
    full_name: BENCH_FULL_NAME,
  });
  const otp = sink.takeCode(email);
  if (!otp) throw new Error(`no code mailed to ${email}`);
  await post(baseUrl, '/api/users/confirm-otp/', { email, otp });
}

export async function login(baseUrl: string, email: string): Promise<Session> {
  const pair = (await post(baseUrl, '/api/users/login/', {
    email,
    password: BENCH_PASSWORD,
  })) as { access: string; refresh: string };
  return { email, access: pair.access, refresh: pair.refresh };
}

/** Runs `task` over `items`, `parallel` at a time. */
export async function inParallel<T, R>(
  items: T[],
  parallel: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]);
      }
    }),
  );
  return results;
}

function tokenPart(token: string, index: 0 | 1): unknown {
  return JSON.parse(Buffer.from(token.split('.')[index], 'base64url').toString('utf8'));
}

/** The header of a token the service signed (read, not verified). */
export function headerOf(token: string): { alg: string } {
  return tokenPart(token, 0) as { alg: string };
}

/** The payload of a token the service signed (read, not verified: the bench only needs its ids). */
export function claimsOf(token: string): { sub: string; fam: string } {
  return tokenPart(token, 1) as { sub: string; fam: string };
}
