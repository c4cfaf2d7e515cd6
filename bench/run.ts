/**
 * `npm run bench`: the production build under load, with its ceilings measured in the same run.
 *
 * 1. Ceilings: a bare Nest app on the same Fastify adapter (its GET for me; its POST through the
 *    service's validation for refresh) and argon2id verify and hash throughput with the service's
 *    parameters and thread pool (the ceilings of login and registration).
 * 2. The service on the embedded default (SQLite file, in-process store, SMTP to a sink in this
 *    process): me, login, refresh, register+confirm pairs; then me again with EdDSA tokens.
 * 3. Scale: the same on a SQLite file seeded with 100,000 users and 1,000,000 blacklist rows, one
 *    account's 100,000 sessions listed page by page, revocation writes from 100,000 users on an
 *    empty and on the seeded file, and the memory of 100,000 pending registrations.
 * 4. The service on PostgreSQL + Redis, when both answer on 127.0.0.1.
 *
 * Absolute figures on a shared two-core machine mean little, so each is judged as a ratio to a
 * ceiling measured in the same run, by CPU per request. Results go to
 * bench/results/<timestamp>.json.
 */
import * as argon2 from 'argon2';
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
import {
  parseBenchOptions,
  threadPoolSize,
  type BenchOptions,
  type ScenarioName,
} from './support/options.js';
import {
  barePostScenario,
  bareScenario,
  loginScenario,
  meScenario,
  pairsScenario,
  refreshScenario,
} from './support/scenarios.js';
import {
  countRows,
  liveSessionIds,
  seedSessions,
  seedSqlite,
  type SeedCounts,
} from './support/seed.js';
import {
  claimsOf,
  createAccount,
  headerOf,
  inParallel,
  login,
  type Session,
} from './support/service-client.js';
import { smallAccountPage, walkSessions, type SessionWalk } from './support/session-walk.js';
import { productionNodeArgs, serviceEnv, startBareApp } from './support/service-env.js';
import { BenchSmtpSink } from './support/smtp-sink.js';
import {
  evaluate,
  renderTable,
  type BenchReport,
  ratiosOf,
  type PairedResult,
  type PendingFootprint,
  type RevocationWrites,
  type RunComparison,
  type ServiceRun,
} from './support/report.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The package root: build-bench/bench/ → ../.. */
const root = resolve(here, '..', '..');
const ACCOUNTS = 8;
/** Tokens each revocation-writes child revokes (after 1,000 not counted). */
const REVOCATION_WRITES = 20_000;
/** The seeded file of the scale checks, in the work directory. */
const SEEDED_FILE = 'seeded.sqlite';
/** In-process keys allowed per pending registration in the footprint child (a few are used). */
const PENDING_KEYS_BOUND = 10;
/** Logins of the account whose one-page session list is the walk's comparison. */
const FEW_SESSIONS = 10;

/** The Node.js flags the service runs with in production (see productionNodeArgs). */
const serviceNodeArgs = productionNodeArgs(root);

const options = parseBenchOptions(process.argv.slice(2), process.env);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
/** Tags addresses: lower case, as the service stores them. */
const runTag = stamp.toLowerCase();
const workDir = join(root, 'bench', 'tmp', stamp);
mkdirSync(join(workDir, 'logs'), { recursive: true });
const poolSize = threadPoolSize(process.env);
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
    // 'close', not 'exit': the process may exit before its last line (the result) has been read.
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolvePromise(JSON.parse(last) as T);
      else reject(new Error(`${script} exited ${code}:\n${err.slice(-2000)}${out.slice(-2000)}`));
    });
  });
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
function startBare(): Promise<ChildServer> {
  return startBareApp(here, join(workDir, 'logs', 'bare.log'), { cwd: workDir });
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
          cpuSecondsByThread: null,
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

/** The ceiling processes, shared by every run. */
interface Ceilings {
  bare: ChildServer;
  argon2: Argon2Process;
}

/** A scenario, the ceiling it is measured against and the connections that drive it. */
interface Pairing {
  scenario: Scenario;
  ceiling: Measurable;
  connections: number;
  /** The argon2 ceiling's last slice (its parameters and concurrency), once it has run. */
  argon2Slice?: () => Argon2Slice | undefined;
}

function argon2Pairing(
  scenario: Scenario,
  operation: Argon2Request['operation'],
  ceilings: Ceilings,
): Pairing {
  let last: Argon2Slice | undefined;
  return {
    scenario,
    ceiling: ceilings.argon2.measurable(operation, (slice) => (last = slice)),
    connections: options.argon2Connections,
    argon2Slice: () => last,
  };
}

/**
 * Each scenario with its ceiling: the bare GET for me; the bare app's validated POST for refresh
 * (what a JSON POST answering a token pair costs on this framework, given a real refresh token of
 * this service); argon2 verify for login and argon2 hash for pairs.
 */
function pairingFor(
  scenarioName: ScenarioName,
  server: ChildServer,
  ceilings: Ceilings,
  sessions: Session[],
  sink: BenchSmtpSink,
  tag: string,
): Pairing {
  const emails = sessions.map((session) => session.email);
  const onBare = (scenario: Scenario) =>
    httpMeasurable(ceilings.bare.baseUrl, scenario, options.connections, ceilings.bare);
  switch (scenarioName) {
    case 'me':
      return {
        scenario: meScenario(sessions),
        ceiling: onBare(bareScenario()),
        connections: options.connections,
      };
    case 'refresh':
      return {
        scenario: refreshScenario(
          async (index) => (await login(server.baseUrl, emails[index % ACCOUNTS])).refresh,
        ),
        ceiling: onBare(barePostScenario(sessions[0].refresh)),
        connections: options.connections,
      };
    case 'login':
      return argon2Pairing(loginScenario(emails), 'verify', ceilings);
    case 'pairs':
      return argon2Pairing(pairsScenario(sink, tag), 'hash', ceilings);
  }
}

async function runPaired(server: ChildServer, pairing: Pairing): Promise<PairedResult> {
  const measured = await interleave(
    httpMeasurable(server.baseUrl, pairing.scenario, pairing.connections, server),
    pairing.ceiling,
    interleaveSettings(options),
  );
  const argon2Slice = pairing.argon2Slice?.();
  const result: PairedResult = {
    ...measured.scenario,
    ceiling: {
      name: pairing.ceiling.name,
      rate: measured.ceiling.rate,
      result: measured.ceiling,
      argon2: argon2Slice
        ? { params: argon2Slice.params, concurrency: argon2Slice.concurrency }
        : undefined,
    },
  };
  logPaired(result);
  return result;
}

/** ` (event loop …, thread pool …, V8 …)`, or nothing when the split was not read. */
function byThread(split: PairedResult['cpuUsByThread']): string {
  if (!split) return '';
  const other = split.other >= 0.5 ? `, other ${split.other.toFixed(0)}` : '';
  return (
    ` (event loop ${split.eventLoop.toFixed(0)}, thread pool ${split.threadPool.toFixed(0)}, ` +
    `V8 ${split.v8.toFixed(0)}${other})`
  );
}

function logPaired(result: PairedResult): void {
  const c = result.ceiling.result;
  log(
    `  ceiling ${c.name}: ${c.rate.toFixed(1)} ${c.unit}, CPU ${c.cpuUs?.toFixed(0)} µs each` +
      (c.p50Ms === null ? '' : `, p50 ${c.p50Ms} ms, p99 ${c.p99Ms} ms, errors ${c.errors}`),
  );
  log(
    `  ${result.name}: ${result.rate.toFixed(1)} ${result.unit}, p50 ${result.p50Ms} ms, ` +
      `p99 ${result.p99Ms} ms, errors ${result.errors}, peak RSS ` +
      `${(result.peakRssBytes! / 2 ** 20).toFixed(0)} MB, server CPU ${result.cpuUs?.toFixed(0)} µs each` +
      byThread(result.cpuUsByThread),
  );
  const { rate, cpu } = ratiosOf(result);
  log(`  ratio × ${c.name}: CPU ${cpu?.toFixed(2) ?? '?'}, rate ${rate.toFixed(2)}`);
}

async function runScenarios(
  spec: RunSpec,
  server: ChildServer,
  ceilings: Ceilings,
  sink: BenchSmtpSink,
): Promise<PairedResult[]> {
  const { name } = spec;
  const tag = `${name}-${runTag}`;
  const sessions = await prepareAccounts(server.baseUrl, sink, tag);
  // A run named for its signing measures nothing if the service fell back to another algorithm.
  const alg = headerOf(sessions[0].access).alg;
  if (spec.description.signing && alg !== spec.description.signing) {
    throw new Error(`${name}: tokens signed with ${alg}, not ${spec.description.signing}`);
  }
  const results: PairedResult[] = [];
  for (const scenarioName of spec.scenarios) {
    log(`${name}: ${scenarioName} (interleaved with its ceiling, ${options.slices} slices each)`);
    const pairing = pairingFor(scenarioName, server, ceilings, sessions, sink, tag);
    results.push(await runPaired(server, pairing));
  }
  return results;
}

/** One start of the service and what is measured on it. */
interface RunSpec {
  name: string;
  description: ServiceRun['description'];
  env: NodeJS.ProcessEnv;
  scenarios: ScenarioName[];
  seeded?: SeedCounts;
  comparison?: RunComparison;
  /** Work done on the running service once the scenarios are measured (the session walk). */
  after?: (server: ChildServer) => Promise<void>;
}

async function serviceRun(
  spec: RunSpec,
  ceilings: Ceilings,
  sink: BenchSmtpSink,
): Promise<ServiceRun> {
  const { name, description, seeded, comparison } = spec;
  const signing = description.signing ? `, ${description.signing}` : '';
  log(`service run "${name}" (${description.database} + ${description.store}${signing})`);
  const server = await startService(name, spec.env);
  let scenarios: PairedResult[];
  try {
    scenarios = await runScenarios(spec, server, ceilings, sink);
    await spec.after?.(server);
  } finally {
    await server.stop();
  }
  const profile = options.profile ? printProfile(name) : undefined;
  return { name, description, seeded, comparison, scenarios, profile };
}

/** An Ed25519 signing key as JWT_PRIVATE_KEY takes it: PKCS#8 PEM, made for this run. */
function ed25519PrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * `GET me/` with EdDSA tokens: its own short service run, me only, compared with the HS256 me of
 * the same bench. A token is verified once and then remembered (access-token-authenticator.ts),
 * so the signing algorithm should not change what the guarded GET costs.
 */
function eddsaRun(sqliteEnv: (file: string) => NodeJS.ProcessEnv): RunSpec {
  return {
    name: 'sqlite-eddsa',
    description: { database: 'SQLite', store: 'in-process', signing: 'EdDSA' },
    env: {
      ...sqliteEnv('eddsa.sqlite'),
      JWT_ALGORITHM: 'EdDSA',
      JWT_PRIVATE_KEY: ed25519PrivateKeyPem(),
    },
    scenarios: ['me'],
    comparison: { run: 'sqlite', label: 'vs HS256', ceilingTarget: false },
  };
}

/**
 * One account's session list walked through the API on the seeded file (see session-walk.ts):
 * the account logs in, its session row is copied into `options.sessionRows` more by plain SQL,
 * and the walk must list each live one once, its last pages costing what its first ones do. An
 * account with the default cap of sessions gives a one-page list for comparison.
 */
async function measureSessionWalk(
  server: ChildServer,
  sink: BenchSmtpSink,
  file: string,
): Promise<SessionWalk> {
  const email = `walk-${runTag}@example.com`;
  await createAccount(server.baseUrl, sink, email);
  const { access } = await login(server.baseUrl, email);
  const { sub, fam } = claimsOf(access);
  const started = performance.now();
  seedSessions(file, fam, options.sessionRows);
  log(
    `sessions: ${options.sessionRows} seeded for one account in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s; walking its list`,
  );
  const walk = await walkSessions(server, access, liveSessionIds(file, sub));
  log(
    `  ${walk.pages} pages, ${walk.listed} of ${walk.liveRows} listed in ${walk.seconds.toFixed(1)} s ` +
      `(${walk.duplicates} duplicates, ${walk.missing} missing, ${walk.outOfOrder} out of order, ` +
      `${walk.errors} errors); CPU per page first ${walk.window.firstCpuUs.toFixed(0)} µs, ` +
      `last ${walk.window.lastCpuUs.toFixed(0)} µs`,
  );
  const small = await fewSessionsPage(server, sink, file);
  log(`  an account with ${small.sessions} sessions: ${small.cpuUs.toFixed(0)} µs of CPU a page`);
  return { ...walk, small };
}

async function fewSessionsPage(
  server: ChildServer,
  sink: BenchSmtpSink,
  file: string,
): Promise<NonNullable<SessionWalk['small']>> {
  const email = `few-sessions-${runTag}@example.com`;
  await createAccount(server.baseUrl, sink, email);
  let access = '';
  for (let i = 0; i < FEW_SESSIONS; i++) access = (await login(server.baseUrl, email)).access;
  // SESSIONS_MAX_PER_USER, when set below FEW_SESSIONS, leaves fewer: the database says.
  return smallAccountPage(server, access, liveSessionIds(file, claimsOf(access).sub).length);
}

/** The file of an embedded run, in the work directory. */
function sqliteEnvOf(sink: BenchSmtpSink): (file: string) => NodeJS.ProcessEnv {
  return (file) => serviceEnv(sink, `sqlite:${join(workDir, file)}`);
}

/** Migrates a new SQLite file and fills it with the scale run's users and blacklist rows. */
async function seededFile(sqliteEnv: (file: string) => NodeJS.ProcessEnv): Promise<SeedCounts> {
  log(
    `scale: migrating and seeding ${options.seedUsers} users, ${options.seedBlacklist} blacklist rows`,
  );
  await (await startService('migrate', sqliteEnv(SEEDED_FILE))).stop();
  const started = performance.now();
  const hash = await argon2.hash('seeded password 1', {
    type: argon2.argon2id,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  const file = join(workDir, SEEDED_FILE);
  seedSqlite(file, { users: options.seedUsers, blacklist: options.seedBlacklist }, hash);
  const seeded = countRows(file);
  log(
    `  seeded ${seeded.users} users, ${seeded.blacklist} rows in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return seeded;
}

async function revocationWritesOn(
  sqliteEnv: (file: string) => NodeJS.ProcessEnv,
): Promise<NonNullable<BenchReport['revocationWrites']>> {
  log('scale: revocation writes from 100,000 users, on an empty file and on the seeded one');
  const writesOn = (file: string) =>
    jsonChild<RevocationWrites>(
      'revocation-writes.js',
      { ...sqliteEnv(file), BENCH_REVOCATIONS: String(REVOCATION_WRITES) },
      serviceNodeArgs,
    );
  const writes = {
    empty: await writesOn('writes-empty.sqlite'),
    seeded: await writesOn(SEEDED_FILE),
  };
  for (const [label, measured] of Object.entries(writes)) {
    log(
      `  ${label}: ${measured.rowsPerSecond.toFixed(0)} rows/s, ${measured.cpuUsPerRow.toFixed(1)} µs of CPU each`,
    );
  }
  return writes;
}

async function pendingFootprint(
  sqliteEnv: (file: string) => NodeJS.ProcessEnv,
): Promise<PendingFootprint> {
  log(`scale: ${options.pending} pending registrations in the in-process store`);
  const pending = await jsonChild<PendingFootprint>(
    'pending-footprint.js',
    {
      ...sqliteEnv('pending.sqlite'),
      BENCH_PENDING: String(options.pending),
      // Each registration holds several keys (the record, its send cooldown, the address's
      // limits): the default bound of 100,000 keys refuses new ones (503) well before 100,000
      // registrations. What is measured is their memory, so the bound is set above them.
      MEMORY_STORE_MAX_ENTRIES: String(Math.max(1_000, options.pending * PENDING_KEYS_BOUND)),
    },
    [...serviceNodeArgs, '--expose-gc'],
  );
  log(
    `  RSS ${(pending.rssBeforeBytes / 2 ** 20).toFixed(0)} MB → ${(pending.rssAfterBytes / 2 ** 20).toFixed(0)} MB`,
  );
  return pending;
}

/** What the scale checks add to the report. */
type ScaleResults = Pick<BenchReport, 'revocationWrites' | 'sessionWalk' | 'pending'>;

/**
 * The scale checks: the scenarios on the seeded file (then the session walk, on the same running
 * service), revocation writes from many users, and the pending registrations' memory.
 */
async function scaleChecks(
  runs: ServiceRun[],
  ceilings: Ceilings,
  sink: BenchSmtpSink,
): Promise<ScaleResults> {
  const sqliteEnv = sqliteEnvOf(sink);
  const seeded = await seededFile(sqliteEnv);
  let sessionWalk: SessionWalk | undefined;
  const spec: RunSpec = {
    name: 'sqlite-seeded',
    description: { database: 'SQLite (seeded)', store: 'in-process' },
    env: sqliteEnv(SEEDED_FILE),
    scenarios: options.scenarios,
    seeded,
    comparison: { run: 'sqlite', label: 'vs empty', ceilingTarget: true },
    after: async (server) => {
      sessionWalk = await measureSessionWalk(server, sink, join(workDir, SEEDED_FILE));
    },
  };
  runs.push(await serviceRun(spec, ceilings, sink));
  return {
    sessionWalk,
    revocationWrites: await revocationWritesOn(sqliteEnv),
    pending: await pendingFootprint(sqliteEnv),
  };
}

/**
 * The scenarios on PostgreSQL + Redis, when both answer on 127.0.0.1: a database created and
 * dropped for the run, and an empty Redis database flushed afterwards.
 */
async function externalRun(
  runs: ServiceRun[],
  ceilings: Ceilings,
  sink: BenchSmtpSink,
): Promise<BenchReport['external']> {
  const [pgUp, redisUp] = await Promise.all([
    answers('127.0.0.1', Number(new URL(options.pgAdminUrl).port || 5432)),
    answers('127.0.0.1', Number(new URL(options.redisUrl).port || 6379)),
  ]);
  if (!pgUp || !redisUp) {
    const down = [!pgUp && 'PostgreSQL', !redisUp && 'Redis'].filter(Boolean).join(', ');
    return { ran: false, reason: `not answering: ${down}` };
  }
  const redis = await ScratchRedis.claim(options.redisUrl);
  if (!redis) return { ran: false, reason: 'no empty Redis database among 8..15' };
  const database = await ScratchPostgres.create(
    options.pgAdminUrl,
    `otp_auth_bench_${stamp.replace(/\W/g, '_').toLowerCase()}`,
  );
  try {
    const spec: RunSpec = {
      name: 'postgres-redis',
      description: { database: 'PostgreSQL', store: `Redis db ${redis.index}` },
      env: serviceEnv(sink, database.url, redis.url),
      scenarios: options.scenarios,
    };
    runs.push(await serviceRun(spec, ceilings, sink));
    return { ran: true, postgresDatabase: database.name, redisDatabase: redis.index };
  } finally {
    await database.drop();
    await redis.flush();
  }
}

function machine(): BenchReport['machine'] {
  return {
    node: process.version,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    threadPool: poolSize,
    serviceNodeArgs,
  };
}

/** Prints the table and the verdicts, and writes the report to bench/results/. */
function publish(report: BenchReport): void {
  report.verdicts = evaluate(report);
  console.log(`\n${renderTable(report)}`);
  const resultsDir = join(root, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  log(`results: ${file}`);
  if (report.verdicts.some((verdict) => !verdict.ok)) process.exitCode = 1;
}

async function main(): Promise<void> {
  log(
    `Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), ` +
      `thread pool ${poolSize}, service flags [${serviceNodeArgs.join(' ')}], work dir ${workDir}`,
  );
  const sink = await new BenchSmtpSink().start();
  const ceilings: Ceilings = { bare: await startBare(), argon2: await Argon2Process.start() };
  const runs: ServiceRun[] = [];
  try {
    const sqliteEnv = sqliteEnvOf(sink);
    const embedded: RunSpec = {
      name: 'sqlite',
      description: { database: 'SQLite', store: 'in-process' },
      env: sqliteEnv('empty.sqlite'),
      scenarios: options.scenarios,
    };
    runs.push(await serviceRun(embedded, ceilings, sink));
    if (options.scenarios.includes('me')) {
      runs.push(await serviceRun(eddsaRun(sqliteEnv), ceilings, sink));
    }
    const scale = options.scale ? await scaleChecks(runs, ceilings, sink) : {};
    const external: BenchReport['external'] = options.external
      ? await externalRun(runs, ceilings, sink)
      : { ran: false, reason: 'disabled (--no-external)' };
    publish({
      date: new Date().toISOString(),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      machine: machine(),
      options,
      runs,
      ...scale,
      external,
      verdicts: [],
    });
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
