import { parseArgs } from 'node:util';
import { threadPoolSize } from '../../src/config/thread-pool.js';

/** What a bench run does; every figure can be set by a flag or an environment variable. */
export interface BenchOptions {
  /** Seconds each scenario is measured for. */
  duration: number;
  /** Seconds of load before each measurement, not counted. */
  warmup: number;
  /** Slices a scenario and its ceiling are measured in, alternately. */
  slices: number;
  /** Connections for the scenarios that argon2 does not bound (bare, me, refresh). */
  connections: number;
  /** Connections for login and register+confirm: enough to keep the argon2 threads busy. */
  argon2Connections: number;
  scale: boolean;
  seedUsers: number;
  seedBlacklist: number;
  pending: number;
  /** Live sessions seeded for the one account whose session list is walked (scale run). */
  sessionRows: number;
  /** PostgreSQL + Redis run when they answer. */
  external: boolean;
  pgAdminUrl: string;
  redisUrl: string;
  /** Write a CPU profile of every service run and print its top functions. */
  profile: boolean;
  scenarios: ScenarioName[];
}

export const SCENARIOS = ['me', 'login', 'refresh', 'pairs'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const HELP = `npm run bench -- [flags]   (each flag also reads BENCH_<NAME> from the environment)
  --duration S            seconds per measured scenario (8)
  --warmup S              seconds of unmeasured load before each (2)
  --slices N              alternate slices of a scenario and its ceiling (4)
  --connections N         connections for bare, me, refresh (50)
  --argon2-connections N  connections for login and register+confirm (8 x thread pool)
  --no-scale              skip the seeded SQLite run, the session-list walk, the
                          revocation writes and the pending-registration footprint
  --seed-users N          users seeded for the scale run (100000)
  --seed-blacklist N      blacklist rows seeded for the scale run (1000000)
  --pending N             pending registrations for the footprint (100000)
  --session-rows N        sessions of the account whose list is walked (100000)
  --no-external           skip the PostgreSQL + Redis run
  --pg-admin-url URL      (postgres://postgres@127.0.0.1:5432/postgres)
  --redis-url URL         (redis://127.0.0.1:6379)
  --profile               --cpu-prof the service and print the top of each profile
  --scenarios a,b         subset of ${SCENARIOS.join(',')}, run in that order (me also runs
                          with EdDSA signing)`;

export { threadPoolSize };

export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      slices: { type: 'string' },
      connections: { type: 'string' },
      'argon2-connections': { type: 'string' },
      'no-scale': { type: 'boolean' },
      'seed-users': { type: 'string' },
      'seed-blacklist': { type: 'string' },
      pending: { type: 'string' },
      'session-rows': { type: 'string' },
      'no-external': { type: 'boolean' },
      'pg-admin-url': { type: 'string' },
      'redis-url': { type: 'string' },
      profile: { type: 'boolean' },
      scenarios: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const pick = (flag: keyof typeof values, fallback: string): string => {
    const fromFlag = values[flag];
    if (typeof fromFlag === 'string') return fromFlag;
    const envName = `BENCH_${flag.toUpperCase().replaceAll('-', '_')}`;
    return env[envName] ?? fallback;
  };
  const positive = (flag: keyof typeof values, fallback: number): number => {
    const value = Number(pick(flag, String(fallback)));
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be > 0`);
    return value;
  };
  const toggle = (flag: 'no-scale' | 'no-external' | 'profile'): boolean =>
    values[flag] === true ||
    ['1', 'true'].includes(env[`BENCH_${flag.toUpperCase().replace('-', '_')}`] ?? '');
  const duration = positive('duration', 8);
  const scenarios = pick('scenarios', SCENARIOS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of scenarios) {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`unknown scenario ${name}`);
  }
  return {
    duration,
    warmup: positive('warmup', 2),
    slices: positive('slices', 4),
    connections: positive('connections', 50),
    argon2Connections: positive('argon2-connections', 8 * threadPoolSize(env)),
    scale: !toggle('no-scale'),
    seedUsers: positive('seed-users', 100_000),
    seedBlacklist: positive('seed-blacklist', 1_000_000),
    pending: positive('pending', 100_000),
    sessionRows: positive('session-rows', 100_000),
    external: !toggle('no-external'),
    pgAdminUrl: pick('pg-admin-url', 'postgres://postgres@127.0.0.1:5432/postgres'),
    redisUrl: pick('redis-url', 'redis://127.0.0.1:6379'),
    profile: toggle('profile'),
    // Always in this order, whatever the flag's: me acts as sessions opened before the other
    // scenarios, and login's accounts go past SESSIONS_MAX_PER_USER, which revokes them.
    scenarios: SCENARIOS.filter((name) => scenarios.includes(name)),
  };
}
