/**
 * Instructions per request, counted by callgrind: `npm run bench:instructions`.
 *
 * The bench's CPU times move with the load of the machine: on this two-core machine the bare
 * GET's CPU per request has read anywhere from 23 to 53 µs within one day, so a change worth a
 * few per cent cannot be told from the noise there, not even with interleaved slices. valgrind's
 * callgrind counts the instructions a process executes, which do not depend on what else the
 * machine does: the same build gives the same count to within about 1 %. That makes it the
 * measure to compare builds with, one change at a time; `npm run bench` stays the verdict.
 *
 * The service's `GET me/` (an empty SQLite file, the Node.js flags of `start:prod`) against the
 * bare app's `GET /bare`, and the service's token refresh (each connection following its own
 * rotation chain) against the bare app's validated `POST /bare-post`, each as `npm run bench` runs
 * them. `GET me/` is also set against the bare app's `GET /bare-headers`, which has its request
 * and response headers without its work, and `GET /bare-guarded`, the same routed through a guard
 * and parameter decorators: what is left beyond that is the service's own. Each process runs
 * under callgrind with instrumentation off while it starts and warms up, so that V8's compiler
 * has settled, then on for a fixed number of requests. Only the event-loop thread is counted:
 * V8's background threads (compiler, garbage collector) do their work in whichever window it
 * falls, and a request's own work is on the event loop. Needs valgrind (Debian's package).
 *
 * Under valgrind OpenSSL computes SHA-256 without the CPU's SHA extensions, so the HMACs of a
 * refresh weigh more here than on the machine's own CPU: compare refresh with itself, build with
 * build, rather than read its ratio as the bench's.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildServer, freePort } from './support/child-server.js';
import type { Scenario } from './support/load.js';
import {
  bareMeShapeScenario,
  bareScenario,
  barePostScenario,
  meScenario,
  refreshScenario,
} from './support/scenarios.js';
import { createAccount, login } from './support/service-client.js';
import { productionNodeArgs, serviceEnv, startBareApp } from './support/service-env.js';
import { BenchSmtpSink } from './support/smtp-sink.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const workDir = join(root, 'bench', 'tmp', `instructions-${Date.now()}`);

const WARMUP_REQUESTS = Number(process.env.BENCH_WARMUP_REQUESTS ?? 20_000);
const COUNTED_REQUESTS = Number(process.env.BENCH_COUNTED_REQUESTS ?? 4_000);
/** Sent once instrumentation is on and not counted: valgrind translates the code again first. */
const RETRANSLATION_REQUESTS = 300;
const CONNECTIONS = 10;
/** Under valgrind the service starts in tens of seconds; the registration's argon2 takes more. */
const READY_TIMEOUT_MS = 300_000;

interface Count {
  name: string;
  /** Instructions of the event-loop thread per request. */
  eventLoop: number;
  /** Of every thread, for reference: V8's background work lands where it happens to fall. */
  allThreads: number;
}

function callgrind(pid: number, ...command: string[]): void {
  execFileSync('callgrind_control', [...command, String(pid)], { stdio: 'ignore' });
}

/**
 * Sends `amount` requests of the scenario, as `npm run bench` does (its `httpMeasurable`), after
 * its preparation (a refresh's chains are started by logins), which is never counted.
 */
async function load(
  server: ChildServer,
  scenario: Scenario,
  amount: number,
  beforeCount = (): void => {},
): Promise<void> {
  await scenario.beforeRun?.(CONNECTIONS);
  beforeCount();
  let connection = 0;
  const result = await autocannon({
    url: server.baseUrl,
    connections: CONNECTIONS,
    amount,
    setupClient: (client) => client.setRequests(scenario.requestsFor(connection++)),
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${scenario.name}: ${failed} of ${amount} requests failed`);
}

/** The instructions in callgrind's first dump in `dir`: one file per thread, `…out.1-<thread>`. */
function dumpedInstructions(dir: string): { eventLoop: number; allThreads: number } {
  let eventLoop = 0;
  let allThreads = 0;
  for (const file of readdirSync(dir).filter((name) => /^callgrind\.out\.1-\d+$/.test(name))) {
    const text = readFileSync(join(dir, file), 'utf8');
    const total = Number(/^(?:summary|totals): (\d+)/m.exec(text)?.[1] ?? 0);
    allThreads += total;
    if (file.endsWith('-01')) eventLoop = total;
  }
  if (eventLoop === 0) throw new Error(`no event-loop thread in the dump in ${dir}`);
  return { eventLoop, allThreads };
}

async function count(
  name: string,
  start: (launcher: string[]) => Promise<ChildServer>,
  scenarioOf: (server: ChildServer) => Promise<Scenario>,
): Promise<Count> {
  const dir = join(workDir, name.replace(/[^a-z0-9]+/gi, '-'));
  mkdirSync(dir, { recursive: true });
  const server = await start([
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
  ]);
  try {
    const scenario = await scenarioOf(server);
    await load(server, scenario, WARMUP_REQUESTS);
    callgrind(server.pid, '--instr=on');
    await load(server, scenario, RETRANSLATION_REQUESTS);
    await load(server, scenario, COUNTED_REQUESTS, () => callgrind(server.pid, '--zero'));
    callgrind(server.pid, '--dump');
    const { eventLoop, allThreads } = dumpedInstructions(dir);
    return {
      name,
      eventLoop: eventLoop / COUNTED_REQUESTS,
      allThreads: allThreads / COUNTED_REQUESTS,
    };
  } finally {
    await server.stop();
  }
}

/** The service under callgrind, on a SQLite file of its own. */
function startService(sink: BenchSmtpSink, name: string) {
  return async (launcher: string[]): Promise<ChildServer> => {
    const port = await freePort();
    return ChildServer.start({
      script: join(root, 'dist', 'main.js'),
      env: {
        ...serviceEnv(sink, `sqlite:${join(workDir, `${name}.sqlite`)}`),
        PORT: String(port),
      },
      port,
      readyPath: '/health',
      logFile: join(workDir, `${name}.log`),
      nodeArgs: productionNodeArgs(root),
      launcher,
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
  };
}

function startBare(name: string) {
  return (launcher: string[]): Promise<ChildServer> =>
    startBareApp(here, join(workDir, `${name}.log`), {
      launcher,
      readyTimeoutMs: READY_TIMEOUT_MS,
    });
}

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const sink = await new BenchSmtpSink().start();
  const email = 'instructions@example.com';
  try {
    // The bare GET of me/'s shape sends the same Bearer header, as in `GET me/`.
    let accessToken = '';
    const me = await count('GET me/', startService(sink, 'me'), async (server) => {
      await createAccount(server.baseUrl, sink, email);
      const session = await login(server.baseUrl, email);
      accessToken = session.access;
      return meScenario([session]);
    });
    // The bare POST answers a real refresh token, as in `npm run bench`.
    let refreshToken = '';
    const refresh = await count('refresh', startService(sink, 'refresh'), async (server) => {
      await createAccount(server.baseUrl, sink, email);
      refreshToken = (await login(server.baseUrl, email)).refresh;
      return refreshScenario(async () => (await login(server.baseUrl, email)).refresh);
    });
    const bare = await count('GET /bare', startBare('bare'), () => Promise.resolve(bareScenario()));
    const bareMeShape = await count('GET /bare-headers', startBare('bare-headers'), () =>
      Promise.resolve(bareMeShapeScenario(accessToken)),
    );
    const bareGuarded = await count('GET /bare-guarded', startBare('bare-guarded'), () =>
      Promise.resolve(bareMeShapeScenario(accessToken, '/bare-guarded')),
    );
    const barePost = await count('POST /bare-post', startBare('bare-post'), () =>
      Promise.resolve(barePostScenario(refreshToken)),
    );

    const thousands = (value: number): string => `${(value / 1000).toFixed(1)}k`;
    console.log(
      `instructions per request (callgrind, ${COUNTED_REQUESTS} requests after ${WARMUP_REQUESTS} of warm-up):`,
    );
    for (const result of [me, bare, bareMeShape, bareGuarded, refresh, barePost]) {
      console.log(
        `  ${result.name.padEnd(18)} event loop ${thousands(result.eventLoop)}, all threads ${thousands(result.allThreads)}`,
      );
    }
    for (const [ceiling, scenario] of [
      [bare, me],
      [bareMeShape, me],
      [bareGuarded, me],
      [barePost, refresh],
    ]) {
      console.log(
        `  ${`${ceiling.name} ÷ ${scenario.name}`.padEnd(30)} ${(ceiling.eventLoop / scenario.eventLoop).toFixed(2)} (event loop, as the bench's ratio)`,
      );
    }
  } finally {
    await sink.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
