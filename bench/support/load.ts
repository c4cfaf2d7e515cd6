import autocannon from 'autocannon';
import type { ChildServer } from './child-server.js';

/** What one scenario measured. */
export interface ScenarioResult {
  name: string;
  connections: number;
  durationSeconds: number;
  /** Completed HTTP requests. */
  requests: number;
  /** Requests per second, or pairs per second for register+confirm. */
  rate: number;
  unit: 'req/s' | 'pairs/s';
  /** Per HTTP request, in milliseconds. */
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx responses plus socket errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** Peak RSS of the server during the measured part, bytes (VmHWM, reset before). */
  peakRssBytes: number | null;
  /**
   * Server CPU time (user + system) per request, or per pair, in microseconds: what a request
   * costs the server, which the load of other processes on the machine moves much less than
   * the rate.
   */
  serverCpuUs: number | null;
}

/**
 * A scenario: the request sequence each connection loops over. `requestsFor` is called once per
 * connection (warm-up and measurement alike), so per-connection state such as a refresh chain
 * lives in its closure; autocannon's own `context` is reset at every loop.
 */
export interface Scenario {
  name: string;
  requestsFor(connection: number): autocannon.Request[];
  /** For pairs: units completed since the last reset (confirmed accounts). */
  units?: { count: number };
  /**
   * Runs before the warm-up and again before the measurement. A stopped run drops the responses
   * in flight, which breaks refresh chains (the server rotated, the client never saw the new
   * token), so the refresh scenario starts fresh chains here.
   */
  beforeRun?: (connections: number) => Promise<void>;
}

export interface LoadSettings {
  connections: number;
  duration: number;
  warmup: number;
}

function run(
  baseUrl: string,
  scenario: Scenario,
  connections: number,
  duration: number,
): Promise<autocannon.Result> {
  let connection = 0;
  return Promise.resolve(
    autocannon({
      url: baseUrl,
      connections,
      duration,
      pipelining: 1,
      timeout: 30,
      setupClient: (client) => client.setRequests(scenario.requestsFor(connection++)),
    }),
  );
}

/** Warm-up, then the measured run, with the server's peak RSS reset in between. */
export async function drive(
  baseUrl: string,
  scenario: Scenario,
  settings: LoadSettings,
  server?: ChildServer,
): Promise<ScenarioResult> {
  if (settings.warmup > 0) {
    await scenario.beforeRun?.(settings.connections);
    await run(baseUrl, scenario, settings.connections, settings.warmup);
  }
  await scenario.beforeRun?.(settings.connections);
  if (scenario.units) scenario.units.count = 0;
  server?.resetPeakRss();
  const cpuBefore = server?.cpuSeconds() ?? 0;
  const result = await run(baseUrl, scenario, settings.connections, settings.duration);
  const cpu = server ? server.cpuSeconds() - cpuBefore : null;
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = count;
  }
  const requests = result.requests.total;
  const rate = scenario.units ? scenario.units.count / result.duration : requests / result.duration;
  return {
    name: scenario.name,
    connections: settings.connections,
    durationSeconds: result.duration,
    requests,
    rate,
    unit: scenario.units ? 'pairs/s' : 'req/s',
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors,
    statusCodes,
    peakRssBytes: server ? server.peakRss() : null,
    serverCpuUs: cpu === null ? null : (cpu * 1e6) / (rate * result.duration),
  };
}
