import { MAX_PAGE_SIZE } from '../../src/auth/sessions/dto/session-page.query.js';
import type { ChildServer } from './child-server.js';
import { percentile } from './load.js';

/** The list's largest page: the walk asks for it. */
export const PAGE_SIZE = MAX_PAGE_SIZE;
/** The start and the end of the walk are each this share of its full pages (at most 50 pages). */
const WINDOW_SHARE = 0.1;
const MAX_WINDOW_PAGES = 50;
/**
 * Times each window is requested again, alternately, for the CPU comparison. /proc counts CPU
 * time in 10 ms ticks and a window of 50 pages takes about 100 ms of it, so each run reads
 * ±1 tick (±10 %); with 3 rounds the two windows of one build differed by up to 20 %, with 10
 * the quantisation stays within about 2 %.
 */
const WINDOW_ROUNDS = 10;
/** Requests of the small account's one page, for its CPU per page. */
const SMALL_REQUESTS = 400;

/** What walking one account's session list page by page showed. */
export interface SessionWalk {
  /** Live rows of the account in the database: what the walk must list, each once. */
  liveRows: number;
  pageSize: number;
  pages: number;
  listed: number;
  /** Ids listed more than once. */
  duplicates: number;
  /** Live ids never listed. */
  missing: number;
  /** Rows not strictly after the previous one in the list's order (newest first, then id). */
  outOfOrder: number;
  /** Pages answered with another status than 200 (the walk stops at the first). */
  errors: number;
  seconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /**
   * Server CPU per page over the first and the last full pages of the walk, each window
   * requested `rounds` times, alternately, after the walk.
   */
  window: { pages: number; rounds: number; firstCpuUs: number; lastCpuUs: number };
  /** For comparison: an account with a handful of sessions, its one page requested repeatedly. */
  small?: { sessions: number; requests: number; cpuUs: number; p50Ms: number | null };
}

interface ListedSession {
  id: string;
  created_at: string;
}

interface PageAnswer {
  status: number;
  sessions: ListedSession[];
  next: string | null;
  ms: number;
}

function pagePath(limit: number, cursor: string | null): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor !== null) query.set('cursor', cursor);
  return `/api/users/sessions/?${query.toString()}`;
}

async function fetchPage(
  server: ChildServer,
  access: string,
  limit: number,
  cursor: string | null,
): Promise<PageAnswer> {
  const started = performance.now();
  const response = await fetch(server.baseUrl + pagePath(limit, cursor), {
    headers: { authorization: `Bearer ${access}` },
  });
  const body = (await response.json()) as { sessions?: ListedSession[]; next_cursor?: string };
  return {
    status: response.status,
    sessions: body.sessions ?? [],
    next: body.next_cursor ?? null,
    ms: performance.now() - started,
  };
}

/** Whether `b` comes strictly after `a` in the list's order: newest first, then id descending. */
function follows(a: ListedSession, b: ListedSession): boolean {
  const at = Date.parse(a.created_at);
  const bt = Date.parse(b.created_at);
  return bt < at || (bt === at && b.id < a.id);
}

/** Server CPU per call of `request`, in microseconds, over `times` calls one after the other. */
async function cpuPerCall(
  server: ChildServer,
  times: number,
  request: (index: number) => Promise<unknown>,
): Promise<{ cpuSeconds: number; calls: number }> {
  const before = server.cpuSeconds();
  for (let i = 0; i < times; i++) await request(i);
  return { cpuSeconds: server.cpuSeconds() - before, calls: times };
}

/**
 * The cost of the first and of the last pages, from the cursors the walk was handed: requested
 * again window after window, alternately, so that both see the same load from the machine's
 * other processes. With keyset pagination both cost the same; with an offset, or a query that
 * reads every newer row first, the last ones cost more.
 */
async function compareWindows(
  server: ChildServer,
  access: string,
  cursors: (string | null)[],
): Promise<SessionWalk['window']> {
  const pages = Math.max(1, Math.min(MAX_WINDOW_PAGES, Math.floor(cursors.length * WINDOW_SHARE)));
  const first = cursors.slice(0, pages);
  const last = cursors.slice(-pages);
  const totals = { first: 0, last: 0 };
  const run = (window: (string | null)[]) =>
    cpuPerCall(server, window.length, (i) => fetchPage(server, access, PAGE_SIZE, window[i]));
  for (let round = 0; round < WINDOW_ROUNDS; round++) {
    await server.waitIdle();
    totals.first += (await run(first)).cpuSeconds;
    await server.waitIdle();
    totals.last += (await run(last)).cpuSeconds;
  }
  const perPage = (seconds: number) => (seconds * 1e6) / (pages * WINDOW_ROUNDS);
  return {
    pages,
    rounds: WINDOW_ROUNDS,
    firstCpuUs: perPage(totals.first),
    lastCpuUs: perPage(totals.last),
  };
}

/**
 * Walks an account's session list from the first page to the last with the largest page the API
 * allows, one request at a time, and checks it against the live ids of the database: each listed
 * once, none missing, in order. Then compares the CPU of its first and last full pages.
 */
export async function walkSessions(
  server: ChildServer,
  access: string,
  liveIds: string[],
): Promise<Omit<SessionWalk, 'small'>> {
  const seen = new Set<string>();
  const latencies: number[] = [];
  /** The cursor each full page was asked with (null: the first page). */
  const fullPageCursors: (string | null)[] = [];
  let listed = 0;
  let outOfOrder = 0;
  let errors = 0;
  let previous: ListedSession | undefined;
  let cursor: string | null = null;
  const started = performance.now();
  do {
    const page = await fetchPage(server, access, PAGE_SIZE, cursor);
    latencies.push(page.ms);
    if (page.status !== 200) {
      errors += 1;
      break;
    }
    if (page.sessions.length === PAGE_SIZE) fullPageCursors.push(cursor);
    for (const session of page.sessions) {
      if (previous && !follows(previous, session)) outOfOrder += 1;
      seen.add(session.id);
      previous = session;
    }
    listed += page.sessions.length;
    cursor = page.next;
  } while (cursor !== null);
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    liveRows: liveIds.length,
    pageSize: PAGE_SIZE,
    pages: latencies.length,
    listed,
    duplicates: listed - seen.size,
    missing: liveIds.filter((id) => !seen.has(id)).length,
    outOfOrder,
    errors,
    seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    window: await compareWindows(server, access, fullPageCursors),
  };
}

/** CPU per page of an account whose sessions fit on one page, requested again and again. */
export async function smallAccountPage(
  server: ChildServer,
  access: string,
  sessions: number,
): Promise<NonNullable<SessionWalk['small']>> {
  const latencies: number[] = [];
  await server.waitIdle();
  const { cpuSeconds, calls } = await cpuPerCall(server, SMALL_REQUESTS, async () => {
    const page = await fetchPage(server, access, PAGE_SIZE, null);
    if (page.status !== 200 || page.sessions.length !== sessions) {
      throw new Error(`small account: ${page.status}, ${page.sessions.length} sessions listed`);
    }
    latencies.push(page.ms);
  });
  latencies.sort((a, b) => a - b);
  return {
    sessions,
    requests: calls,
    cpuUs: (cpuSeconds * 1e6) / calls,
    p50Ms: percentile(latencies, 50),
  };
}
