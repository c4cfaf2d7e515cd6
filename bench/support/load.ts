import autocannon from 'autocannon';
import { THREAD_KINDS, zeroByThread, type ChildServer, type ThreadKind } from './child-server.js';

/** What one scenario (or one ceiling) measured, over all its slices. */
export interface ScenarioResult {
  name: string;
  connections: number;
  durationSeconds: number;
  /** Completed HTTP requests (argon2 operations for an argon2 ceiling). */
  requests: number;
  /** Requests per second, or pairs per second for register+confirm. */
  rate: number;
  unit: 'req/s' | 'pairs/s' | 'ops/s';
  /** Per HTTP request, in milliseconds, over every request of every slice. */
  p50Ms: number | null;
  p99Ms: number | null;
  /** Non-2xx responses plus socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Peak RSS of the server during the measured slices, bytes (VmHWM, reset before). */
  peakRssBytes: number | null;
  /**
   * CPU time (user + system, all threads) of the server per request, or per pair, or of the
   * argon2 process per operation, in microseconds: what one costs, which the load of other
   * processes on the machine moves much less than the rate.
   */
  cpuUs: number | null;
  /** {@link cpuUs} split by kind of thread (see ChildServer.cpuSecondsByThread); null for argon2. */
  cpuUsByThread: Record<ThreadKind, number> | null;
}

/**
 * A scenario: the request sequence each connection loops over. `requestsFor` is called once per
 * connection of every run, so per-connection state such as a refresh chain lives in its
 * closure; autocannon's own `context` is reset at every loop.
 */
export interface Scenario {
  name: string;
  requestsFor(connection: number): autocannon.Request[];
  /** For pairs: units completed since the last reset (confirmed accounts). */
  units?: { count: number };
  /**
   * Runs before every run (warm-up and slices, outside the measured time). A stopped run drops
   * the responses in flight, which breaks refresh chains (the server rotated, the client never
   * saw the new token), so the refresh scenario starts fresh chains here.
   */
  beforeRun?: (connections: number) => Promise<void>;
}

/** One slice of measurement. */
export interface Slice {
  units: number;
  requests: number;
  seconds: number;
  cpuSeconds: number | null;
  cpuSecondsByThread: Record<ThreadKind, number> | null;
  errors: number;
  statusCodes: Record<string, number>;
  latenciesMs: number[];
}

/** Something measured in slices: a scenario on a server, or a ceiling. */
export interface Measurable {
  name: string;
  unit: ScenarioResult['unit'];
  connections: number;
  warm(seconds: number): Promise<void>;
  slice(seconds: number): Promise<Slice>;
  server?: ChildServer;
}

/** An HTTP scenario against a server, driven by autocannon. */
export function httpMeasurable(
  baseUrl: string,
  scenario: Scenario,
  connections: number,
  server?: ChildServer,
): Measurable {
  const run = (seconds: number, latencies?: number[]) => {
    let connection = 0;
    const instance = autocannon({
      url: baseUrl,
      connections,
      duration: seconds,
      pipelining: 1,
      timeout: 30,
      setupClient: (client) => client.setRequests(scenario.requestsFor(connection++)),
    });
    if (latencies) {
      instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) =>
        latencies.push(ms),
      );
    }
    return Promise.resolve(instance);
  };
  return {
    name: scenario.name,
    unit: scenario.units ? 'pairs/s' : 'req/s',
    connections,
    server,
    warm: async (seconds) => {
      await scenario.beforeRun?.(connections);
      await run(seconds);
    },
    slice: async (seconds) => {
      const latenciesMs: number[] = [];
      await scenario.beforeRun?.(connections);
      if (scenario.units) scenario.units.count = 0;
      // The process's total from its own stat: it keeps the time of threads that have ended,
      // which the per-thread split cannot see.
      const cpuBefore = server?.cpuSeconds() ?? null;
      const threadsBefore = server?.cpuSecondsByThread() ?? null;
      const result = await run(seconds, latenciesMs);
      const cpuSeconds = server && cpuBefore !== null ? server.cpuSeconds() - cpuBefore : null;
      const cpuSecondsByThread =
        server && threadsBefore ? difference(server.cpuSecondsByThread(), threadsBefore) : null;
      const statusCodes: Record<string, number> = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
        statusCodes[code] = count;
      }
      return {
        units: scenario.units ? scenario.units.count : result.requests.total,
        requests: result.requests.total,
        seconds: result.duration,
        cpuSeconds,
        cpuSecondsByThread,
        errors: result.non2xx + result.errors,
        statusCodes,
        latenciesMs,
      };
    },
  };
}

/** The `p`th percentile of sorted latencies, rounded to 0.01 ms. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return Math.round(value * 100) / 100;
}

/** Sums slices into one result. */
export function combine(
  measurable: Measurable,
  slices: Slice[],
  peakRssBytes: number | null,
): ScenarioResult {
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  const units = slices.reduce((sum, s) => sum + s.units, 0);
  const cpu = slices.every((s) => s.cpuSeconds !== null)
    ? slices.reduce((sum, s) => sum + s.cpuSeconds!, 0)
    : null;
  const statusCodes: Record<string, number> = {};
  for (const slice of slices) {
    for (const [code, count] of Object.entries(slice.statusCodes)) {
      statusCodes[code] = (statusCodes[code] ?? 0) + count;
    }
  }
  const latencies = slices.flatMap((s) => s.latenciesMs).sort((a, b) => a - b);
  return {
    name: measurable.name,
    connections: measurable.connections,
    durationSeconds: seconds,
    requests: slices.reduce((sum, s) => sum + s.requests, 0),
    rate: units / seconds,
    unit: measurable.unit,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    statusCodes,
    peakRssBytes,
    cpuUs: cpu === null || units === 0 ? null : (cpu * 1e6) / units,
    cpuUsByThread: perUnitByThread(slices, units),
  };
}

function difference(
  after: Record<ThreadKind, number>,
  before: Record<ThreadKind, number>,
): Record<ThreadKind, number> {
  const change = zeroByThread();
  for (const kind of THREAD_KINDS) change[kind] = after[kind] - before[kind];
  return change;
}

/** The slices' CPU by kind of thread, summed, in microseconds per unit; null without it. */
function perUnitByThread(slices: Slice[], units: number): Record<ThreadKind, number> | null {
  if (units === 0 || slices.some((slice) => slice.cpuSecondsByThread === null)) return null;
  const perUnit = zeroByThread();
  for (const kind of THREAD_KINDS) {
    const seconds = slices.reduce((sum, slice) => sum + slice.cpuSecondsByThread![kind], 0);
    perUnit[kind] = (seconds * 1e6) / units;
  }
  return perUnit;
}

export interface InterleaveSettings {
  /** Seconds each side is measured for, in all. */
  duration: number;
  warmup: number;
  slices: number;
}

/**
 * Measures a scenario and its ceiling in alternating slices (ceiling, scenario, ceiling, …), so
 * that both see the same load from the other processes of a shared machine: the ratio of the two
 * is then much steadier than that of two measurements taken a minute apart.
 */
export async function interleave(
  scenario: Measurable,
  ceiling: Measurable,
  settings: InterleaveSettings,
): Promise<{ scenario: ScenarioResult; ceiling: ScenarioResult }> {
  if (settings.warmup > 0) {
    await ceiling.warm(Math.min(settings.warmup, 1));
    await ceiling.server?.waitIdle();
    await scenario.warm(settings.warmup);
  }
  const sliceSeconds = settings.duration / settings.slices;
  const scenarioSlices: Slice[] = [];
  const ceilingSlices: Slice[] = [];
  scenario.server?.resetPeakRss();
  // A stopped load leaves work behind in the server (argon2 jobs queued for every connection):
  // each side starts only once the other is idle, or the ceiling would share the CPU with it.
  await scenario.server?.waitIdle();
  for (let i = 0; i < settings.slices; i++) {
    ceilingSlices.push(await ceiling.slice(sliceSeconds));
    await ceiling.server?.waitIdle();
    scenarioSlices.push(await scenario.slice(sliceSeconds));
    await scenario.server?.waitIdle();
  }
  return {
    scenario: combine(scenario, scenarioSlices, scenario.server?.peakRss() ?? null),
    ceiling: combine(ceiling, ceilingSlices, null),
  };
}
