import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChildServer, freePort, type ChildServerOptions } from './child-server.js';
import type { BenchSmtpSink } from './smtp-sink.js';

/** One signing secret for every service a bench process starts. */
const jwtSecret = randomBytes(48).toString('base64url');

/**
 * The environment the benchmarked service runs with: production mode, mail to the bench's sink,
 * the given database (and Redis, or the in-process store without it).
 */
export function serviceEnv(
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

/**
 * The Node.js flags the service runs with in production: those of `npm run start:prod`, read from
 * the package.json in `root` so that the bench measures what is deployed.
 */
export function productionNodeArgs(root: string): string[] {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts['start:prod'].split(/\s+/);
  return words.slice(words.indexOf('node') + 1, words.indexOf('dist/main.js'));
}

/** Starts the bare app (`bench/bare-app.ts`, built into `benchDir`) as the bench runs it. */
export async function startBareApp(
  benchDir: string,
  logFile: string,
  options: Pick<ChildServerOptions, 'cwd' | 'launcher' | 'readyTimeoutMs'> = {},
): Promise<ChildServer> {
  const port = await freePort();
  return ChildServer.start({
    script: join(benchDir, 'bare-app.js'),
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
    port,
    readyPath: '/bare',
    logFile,
    ...options,
  });
}
