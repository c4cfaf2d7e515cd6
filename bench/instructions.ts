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
 * The service (`GET me/`, on an empty SQLite file, with the Node.js flags of `start:prod`) and the
 * bare app (`GET /bare`, the ceiling of me; Node's defaults), as `npm run bench` runs them, each
 * run under callgrind, with instrumentation off while they start and warm up, so that
 * V8's compiler has settled, then on for a fixed number of requests. Only the event-loop thread is
 * counted: V8's background threads (compiler, garbage collector) do their work in whichever window
 * it falls, and a request's own work is on the event loop. Needs valgrind (Debian's package).
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildServer, freePort } from './support/child-server.js';
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

interface Target {
  name: string;
  path: string;
  headers: Record<string, string>;
}

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

async function load(server: ChildServer, target: Target, amount: number): Promise<void> {
  const result = await autocannon({
    url: server.baseUrl + target.path,
    headers: target.headers,
    connections: CONNECTIONS,
    amount,
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0) throw new Error(`${target.name}: ${failed} of ${amount} requests failed`);
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
  targetOf: (server: ChildServer) => Promise<Target>,
): Promise<Count> {
  const dir = join(workDir, name);
  mkdirSync(dir, { recursive: true });
  const server = await start([
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--separate-threads=yes',
    `--callgrind-out-file=${join(dir, 'callgrind.out')}`,
  ]);
  try {
    const target = await targetOf(server);
    await load(server, target, WARMUP_REQUESTS);
    callgrind(server.pid, '--instr=on');
    await load(server, target, RETRANSLATION_REQUESTS);
    callgrind(server.pid, '--zero');
    await load(server, target, COUNTED_REQUESTS);
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

async function main(): Promise<void> {
  mkdirSync(workDir, { recursive: true });
  const sink = await new BenchSmtpSink().start();
  try {
    const bare = await count(
      'bare',
      (launcher) =>
        startBareApp(here, join(workDir, 'bare.log'), {
          launcher,
          readyTimeoutMs: READY_TIMEOUT_MS,
        }),
      () => Promise.resolve({ name: 'GET /bare', path: '/bare', headers: {} }),
    );
    const me = await count(
      'me',
      async (launcher) => {
        const port = await freePort();
        return ChildServer.start({
          script: join(root, 'dist', 'main.js'),
          env: { ...serviceEnv(sink, `sqlite:${join(workDir, 'me.sqlite')}`), PORT: String(port) },
          port,
          readyPath: '/health',
          logFile: join(workDir, 'me.log'),
          nodeArgs: productionNodeArgs(root),
          launcher,
          readyTimeoutMs: READY_TIMEOUT_MS,
        });
      },
      async (server) => {
        await createAccount(server.baseUrl, sink, 'instructions@example.com');
        const session = await login(server.baseUrl, 'instructions@example.com');
        return {
          name: 'GET me/',
          path: '/api/users/me/',
          headers: { authorization: `Bearer ${session.access}` },
        };
      },
    );
    const thousands = (value: number): string => `${(value / 1000).toFixed(1)}k`;
    console.log(
      `instructions per request (callgrind, ${COUNTED_REQUESTS} requests after ${WARMUP_REQUESTS} of warm-up):`,
    );
    for (const result of [bare, me]) {
      console.log(
        `  ${result.name.padEnd(5)} event loop ${thousands(result.eventLoop)}, all threads ${thousands(result.allThreads)}`,
      );
    }
    console.log(`  me ÷ bare (event loop): ${(me.eventLoop / bare.eventLoop).toFixed(2)}`);
    console.log(
      `  bare ÷ me (as the bench's ratio): ${(bare.eventLoop / me.eventLoop).toFixed(2)}`,
    );
  } finally {
    await sink.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
