/**
 * `npm run bench`: the production build under load, with its ceilings measured in the same run.
 *
 * 1. Baselines: a bare Nest app on the same Fastify adapter (the framework's ceiling) and argon2id
 *    verify and hash throughput with the service's parameters and thread pool (the ceilings of
 *    login and registration).
 * 2. The service on the embedded default (SQLite file, in-process store, SMTP to a sink in this
 *    process): me, login, refresh, register+confirm pairs.
 * 3. Scale: the same on a SQLite file seeded with 100,000 users and 1,000,000 blacklist rows,
 *    revocation writes from 100,000 users on an empty and on the seeded file, and the memory of
 *    100,000 pending registrations in the in-process store.
 * 4. The service on PostgreSQL + Redis, when both answer on 127.0.0.1.
 *
 * Absolute figures on a shared two-core machine mean little, so each is judged as a ratio to a
 * ceiling measured in the same run. Results go to bench/results/<timestamp>.json.
 */
import * as argon2 from 'argon2';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildServer, freePort } from './support/child-server.js';
import { profilesIn, summariseProfile, type ProfileLine } from './support/cpu-profile.js';
import { answers, ScratchPostgres, ScratchRedis } from './support/external-stores.js';
import type { Argon2Request, Argon2Slice } from './argon2-baseline.js';
import {
  httpMeasurable,
  interleave,
  type InterleaveSettings,
  type Measurable,
  type Scenario,
} from './support/load.js';
import { parseBenchOptions, threadPoolSize, type BenchOptions } from './support/options.js';
import {
  barePostScenario,
  bareScenario,
  loginScenario,
  meScenario,
  pairsScenario,
  refreshScenario,
} from './support/scenarios.js';
import { countRows, seedSqlite, type SeedCounts } from './support/seed.js';
import { createAccount, inParallel, login, type Session } from './support/service-client.js';
import { BenchSmtpSink } from './support/smtp-sink.js';
import {
  evaluate,
  renderTable,
  type BenchReport,
  type FrameworkReference,
  type PairedResult,
  type PendingFootprint,
  type RevocationWrites,
  type ServiceRun,
} from './support/report.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root: build-bench/bench/ → ../.. */
const root = resolve(here, '..', '..');
const ACCOUNTS = 8;
/** Tokens each revocation-writes child revokes (after 1,000 not counted). */
const REVOCATION_WRITES = 20_000;

/**
 * The Node.js flags the service runs with in production: those of `npm run start:prod`, read from
 * package.json so that the bench measures what is deployed.
 */
function productionNodeArgs(): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts['start:prod'].split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}
const serviceNodeArgs = productionNodeArgs();

const options = parseBenchOptions(process.argv.slice(2), process.env);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
/** Tags addresses: lower case, as the service stores them. */
const runTag = stamp.toLowerCase();
const workDir = join(root, 'bench', 'tmp', stamp);
mkdirSync(join(workDir, 'logs'), { recursive: true });
const poolSize = threadPoolSize(process.env);
const jwtSecret = randomBytes(48).toString('base64url');

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** Runs a bench child script and parses the JSON line it prints last. */
function jsonChild<T>(script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, join(here, script)], {
      env,
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolvePromise(JSON.parse(last) as T);
      else reject(new Error(`${script} exited ${code}:\n${err.slice(-2000)}${out.slice(-2000)}`));
    });
  });
}

function serviceEnv(
  sink: BenchSmtpSink,
  databaseUrl: string,
  redisUrl?: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    JWT_SECRET: jwtSecret,
    MAIL_URL: sink.url,
    // Production refuses links to localhost; no mail of the bench is ever opened.
    APP_URL: 'https://otp-auth.bench.example',
    DATABASE_URL: databaseUrl,
    // Both limits are the service's defence against abuse, not part of what is measured here.
    RATE_LIMIT_PER_IP: '1000000',
    LOGIN_MAX_FAILURES: '1000',
  };
  if (redisUrl) env.REDIS_URL = redisUrl;
  else delete env.REDIS_URL;
  return env;
}

async function startService(name: string, env: NodeJS.ProcessEnv): Promise<ChildServer> {
  const port = await freePort();
  const profileDir = join(workDir, 'profiles', name);
  return ChildServer.start({
    script: join(root, 'dist', 'main.js'),
    env: { ...env, PORT: String(port) },
    port,
    readyPath: '/health',
    logFile: join(workDir, 'logs', `${name}.log`),
    cwd: workDir,
    nodeArgs: options.profile
      ? [
          ...serviceNodeArgs,
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          '--import',
          join(here, 'support', 'exit-on-sigusr2.js'),
        ]
      : serviceNodeArgs,
    stopSignal: options.profile ? 'SIGUSR2' : 'SIGTERM',
  });
}

function printProfile(
  name: string,
): { functions: ProfileLine[]; packages: ProfileLine[] } | undefined {
  const [path] = profilesIn(join(workDir, 'profiles', name));
  if (!path) return undefined;
  const summary = summariseProfile(path);
  log(`CPU profile of ${name} (${path}), self time excluding idle:`);
  for (const line of summary.packages.slice(0, 8)) {
    console.log(`    ${(line.share * 100).toFixed(1).padStart(5)}%  ${line.name}`);
  }
  console.log('    top functions:');
  for (const line of summary.functions) {
    console.log(`    ${(line.share * 100).toFixed(1).padStart(5)}%  ${line.name}`);
  }
  return summary;
}

/** The bare app, started once and kept for every bare ceiling of the run. */
async function startBare(): Promise<ChildServer> {
  const port = await freePort();
  return ChildServer.start({
    script: join(here, 'bare-app.js'),
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
    port,
    readyPath: '/bare',
    logFile: join(workDir, 'logs', 'bare.log'),
    cwd: workDir,
  });
}

/** The argon2id ceiling process (see argon2-baseline.ts), started once. */
class Argon2Process {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<Argon2Process> {
    const child = spawn(process.execPath, [join(here, 'argon2-baseline.js')], {
      // The service's pool, as main.ts sizes it.
      env: { ...process.env, UV_THREADPOOL_SIZE: String(poolSize) },
      cwd: workDir,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolvePromise, reject) => {
      child.once('message', () => resolvePromise());
      child.once('exit', (code) => reject(new Error(`argon2 baseline exited ${code}`)));
    });
    return new Argon2Process(child);
  }

  run(request: Argon2Request): Promise<Argon2Slice> {
    return new Promise((resolvePromise) => {
      this.child.once('message', (slice: Argon2Slice) => resolvePromise(slice));
      this.child.send(request);
    });
  }

  measurable(
    operation: Argon2Request['operation'],
    onSlice: (slice: Argon2Slice) => void,
  ): Measurable {
    return {
      name: `argon2 ${operation}`,
      unit: 'ops/s',
      connections: poolSize,
      warm: async (seconds) => {
        await this.run({ operation, ms: seconds * 1000 });
      },
      slice: async (seconds) => {
        const slice = await this.run({ operation, ms: seconds * 1000 });
        onSlice(slice);
        return {
          units: slice.operations,
          requests: slice.operations,
          seconds: slice.seconds,
          cpuSeconds: slice.cpuSeconds,
          errors: 0,
          statusCodes: {},
          latenciesMs: [],
        };
      },
    };
  }

  stop(): void {
    this.child.disconnect();
  }
}

function interleaveSettings(o: BenchOptions): InterleaveSettings {
  return { duration: o.duration, warmup: o.warmup, slices: o.slices };
}

/** Accounts created and logged in through the API: the users the scenarios act as. */
async function prepareAccounts(
  baseUrl: string,
  sink: BenchSmtpSink,
  tag: string,
): Promise<Session[]> {
  const emails = Array.from({ length: ACCOUNTS }, (_, i) => `account-${tag}-${i}@example.com`);
  await inParallel(emails, poolSize, (email) => createAccount(baseUrl, sink, email));
  return inParallel(emails, poolSize, (email) => login(baseUrl, email));
}

async function runScenarios(
  name: string,
  server: ChildServer,
  ceilings: Ceilings,
  sink: BenchSmtpSink,
): Promise<PairedResult[]> {
  const sessions = await prepareAccounts(server.baseUrl, sink, `${name}-${runTag}`);
  const emails = sessions.map((session) => session.email);
  const results: PairedResult[] = [];
  for (const scenarioName of options.scenarios) {
    log(`${name}: ${scenarioName} (interleaved with its ceiling, ${options.slices} slices each)`);
    let scenario: Scenario;
    let argon2Operation: Argon2Request['operation'] | undefined;
    switch (scenarioName) {
      case 'me':
        scenario = meScenario(sessions);
        break;
      case 'login':
        scenario = loginScenario(emails);
        argon2Operation = 'verify';
        break;
      case 'refresh':
        scenario = refreshScenario(
          async (index) => (await login(server.baseUrl, emails[index % ACCOUNTS])).refresh,
        );
        break;
      case 'pairs':
        scenario = pairsScenario(sink, `${name}-${runTag}`);
        argon2Operation = 'hash';
        break;
    }
    let argon2Slice: Argon2Slice | undefined;
    const ceiling = argon2Operation
      ? ceilings.argon2.measurable(argon2Operation, (slice) => (argon2Slice = slice))
      : httpMeasurable(ceilings.bare.baseUrl, bareScenario(), options.connections, ceilings.bare);
    const connections = argon2Operation ? options.argon2Connections : options.connections;
    const measured = await interleave(
      httpMeasurable(server.baseUrl, scenario, connections, server),
      ceiling,
      interleaveSettings(options),
    );
    const result: PairedResult = {
      ...measured.scenario,
      ceiling: {
        name: ceiling.name,
        rate: measured.ceiling.rate,
        result: measured.ceiling,
        argon2: argon2Slice
          ? { params: argon2Slice.params, concurrency: argon2Slice.concurrency }
          : undefined,
      },
    };
    const c = measured.ceiling;
    log(
      `  ceiling ${c.name}: ${c.rate.toFixed(1)} ${c.unit}, CPU ${c.cpuUs?.toFixed(0)} µs each` +
        (c.p50Ms === null ? '' : `, p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, errors ${c.errors}`),
    );
    log(
      `  ${scenarioName}: ${result.rate.toFixed(1)} ${result.unit}, p50 ${result.p50Ms} ms, ` +
        `p99 ${result.p99Ms} ms, errors ${result.errors}, peak RSS ` +
        `${(result.peakRssBytes! / 2 ** 20).toFixed(0)} MB, server CPU ${result.cpuUs?.toFixed(0)} µs each`,
    );
    log(`  ratio ${(result.rate / c.rate).toFixed(2)} × ${c.name}`);
    if (scenarioName === 'refresh' && name === 'sqlite') {
      result.reference = await measureReference(ceilings.bare, sessions[0].refresh);
    }
    results.push(result);
  }
  return results;
}

/**
 * Refresh's reference, once per bench: the bare app's validated POST answering a pair, with a
 * real refresh token, interleaved with the bare ceiling (see bare-app.ts).
 */
async function measureReference(bare: ChildServer, token: string): Promise<FrameworkReference> {
  log("reference: the bare app's POST with a refresh body (interleaved with bare)");
  const measured = await interleave(
    httpMeasurable(bare.baseUrl, barePostScenario(token), options.connections, bare),
    httpMeasurable(bare.baseUrl, bareScenario(), options.connections, bare),
    interleaveSettings(options),
  );
  const { scenario: result, ceiling } = measured;
  log(
    `  bare POST: ${result.rate.toFixed(1)} req/s, errors ${result.errors}; bare ` +
      `${ceiling.rate.toFixed(1)} req/s; ratio ${(result.rate / ceiling.rate).toFixed(2)} × bare`,
  );
  return { result, bare: ceiling };
}

/** The ceiling processes, shared by every run. */
interface Ceilings {
  bare: ChildServer;
  argon2: Argon2Process;
}

async function serviceRun(
  name: string,
  description: ServiceRun['description'],
  env: NodeJS.ProcessEnv,
  ceilings: Ceilings,
  sink: BenchSmtpSink,
  seeded?: SeedCounts,
): Promise<ServiceRun> {
  log(`service run "${name}" (${description.database} + ${description.store})`);
  const server = await startService(name, env);
  let scenarios: PairedResult[];
  try {
    scenarios = await runScenarios(name, server, ceilings, sink);
  } finally {
    await server.stop();
  }
  const profile = options.profile ? printProfile(name) : undefined;
  return { name, description, seeded, scenarios, profile };
}

async function main(): Promise<void> {
  log(
    `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ` +
      `thread pool ${poolSize}, service flags [${serviceNodeArgs.join(' ')}], work dir ${workDir}`,
  );
  const sink = await new BenchSmtpSink().start();
  const ceilings: Ceilings = { bare: await startBare(), argon2: await Argon2Process.start() };
  const runs: ServiceRun[] = [];
  let pending: PendingFootprint | undefined;
  let revocationWrites: BenchReport['revocationWrites'];
  let external: BenchReport['external'] = { ran: false, reason: 'disabled (--no-external)' };
  try {
    const sqliteEnv = (file: string) => serviceEnv(sink, `sqlite:${join(workDir, file)}`);
    runs.push(
      await serviceRun(
        'sqlite',
        { database: 'SQLite', store: 'in-process' },
        sqliteEnv('empty.sqlite'),
        ceilings,
        sink,
      ),
    );

    if (options.scale) {
      const file = join(workDir, 'seeded.sqlite');
      log(
        `scale: migrating and seeding ${options.seedUsers} users, ${options.seedBlacklist} blacklist rows`,
      );
      await (await startService('migrate', sqliteEnv('seeded.sqlite'))).stop();
      const started = performance.now();
      const hash = await argon2.hash('seeded password 1', {
        type: argon2.argon2id,
        memoryCost: 19456,
        timeCost: 2,
        parallelism: 1,
      });
      seedSqlite(file, { users: options.seedUsers, blacklist: options.seedBlacklist }, hash);
      const seeded = countRows(file);
      log(
        `  seeded ${seeded.users} users, ${seeded.blacklist} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
      runs.push(
        await serviceRun(
          'sqlite-seeded',
          { database: 'SQLite (seeded)', store: 'in-process' },
          sqliteEnv('seeded.sqlite'),
          ceilings,
          sink,
          seeded,
        ),
      );
      log('scale: revocation writes from 100,000 users, on an empty file and on the seeded one');
      const writesOn = (file: string) =>
        jsonChild<RevocationWrites>(
          'revocation-writes.js',
          { ...sqliteEnv(file), BENCH_REVOCATIONS: String(REVOCATION_WRITES) },
          serviceNodeArgs,
        );
      const emptyWrites = await writesOn('writes-empty.sqlite');
      const seededWrites = await writesOn('seeded.sqlite');
      revocationWrites = { empty: emptyWrites, seeded: seededWrites };
      for (const [label, writes] of Object.entries(revocationWrites)) {
        log(
          `  ${label}: ${writes.rowsPerSecond.toFixed(0)} rows/s, ${writes.cpuUsPerRow.toFixed(1)} µs of CPU each`,
        );
      }
      log(`scale: ${options.pending} pending registrations in the in-process store`);
      pending = await jsonChild<PendingFootprint>(
        'pending-footprint.js',
        { ...sqliteEnv('pending.sqlite'), BENCH_PENDING: String(options.pending) },
        [...serviceNodeArgs, '--expose-gc'],
      );
      log(
        `  RSS ${(pending.rssBeforeBytes / 2 ** 20).toFixed(0)} MB → ${(pending.rssAfterBytes / 2 ** 20).toFixed(0)} MB`,
      );
    }

    if (options.external) {
      const [pgUp, redisUp] = await Promise.all([
        answers('127.0.0.1', Number(new URL(options.pgAdminUrl).port || 5432)),
        answers('127.0.0.1', Number(new URL(options.redisUrl).port || 6379)),
      ]);
      if (!pgUp || !redisUp) {
        external = {
          ran: false,
          reason: `not answering: ${!pgUp ? 'PostgreSQL ' : ''}${!redisUp ? 'Redis' : ''}`,
        };
      } else {
        const redis = await ScratchRedis.claim(options.redisUrl);
        if (!redis) {
          external = { ran: false, reason: 'no empty Redis database among 8..15' };
        } else {
          const database = await ScratchPostgres.create(
            options.pgAdminUrl,
            `otp_auth_bench_${stamp.replace(/\W/g, '_').toLowerCase()}`,
          );
          try {
            runs.push(
              await serviceRun(
                'postgres-redis',
                { database: 'PostgreSQL', store: `Redis db ${redis.index}` },
                serviceEnv(sink, database.url, redis.url),
                ceilings,
                sink,
              ),
            );
            external = { ran: true, postgresDatabase: database.name, redisDatabase: redis.index };
          } finally {
            await database.drop();
            await redis.flush();
          }
        }
      }
    }

    const report: BenchReport = {
      date: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: {
        node: process.version,
        cores: availableParallelism(),
        cpu: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        threadPool: poolSize,
        serviceNodeArgs,
      },
      options,
      runs,
      pending,
      revocationWrites,
      external,
      verdicts: [],
    };
    report.verdicts = evaluate(report);
    const table = renderTable(report);
    console.log(`\n${table}`);
    const resultsDir = join(root, 'bench', 'results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `${stamp}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`results: ${file}`);
    if (report.verdicts.some((verdict) => !verdict.ok)) process.exitCode = 1;
  } finally {
    ceilings.argon2.stop();
    await ceilings.bare.stop();
    await sink.stop();
    // The databases (the seeded one is some 200 MB); logs and profiles stay.
    for (const name of readdirSync(workDir)) {
      if (/\.sqlite(-wal|-shm)?$/.test(name)) rmSync(join(workDir, name), { force: true });
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
