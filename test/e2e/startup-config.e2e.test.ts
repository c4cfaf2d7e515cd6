import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { signingEnv } from '../support/signing-keys.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const NODE = join(REPO, 'node_modules/.bin/node');
const MAIN = join(REPO, 'dist/main.js');
const GIVE_UP_MS = 15_000;
const STRONG_SECRET = 'a-production-secret-of-more-than-32-bytes-0123456789';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built service in `cwd` with only `env` (and PATH) set, as an operator would start it,
 * until it exits. `until` ends a run that started: the process is stopped once its output matches.
 */
function runService(cwd: string, env: Record<string, string>, until?: RegExp): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [MAIN], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running after ${GIVE_UP_MS} ms:\n${stdout}\n${stderr}`));
    }, GIVE_UP_MS);
    const watch = () => {
      if (until?.test(stdout)) child.kill('SIGTERM');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      watch();
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // 'close', not 'exit': the process may exit before its last output has been read.
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Checks a refused start: exit code 1, one `config error:` line per problem, no stack trace. */
function assertRefused(run: Run, problems: RegExp[]): void {
  assert.equal(run.code, 1, `exit code ${run.code}\n${run.stdout}\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  assert.equal(lines.length, problems.length, `one line per problem expected:\n${run.stderr}`);
  for (const line of lines) assert.match(line, /^config error: \S/);
  for (const problem of problems) {
    assert.ok(
      lines.some((line) => problem.test(line)),
      `no line matches ${problem}:\n${run.stderr}`,
    );
  }
  assert.doesNotMatch(
    `${run.stdout}\n${run.stderr}`,
    /^\s+at |\.js:\d+/m,
    'a stack trace was printed',
  );
}

// The cases are independent processes, each in its own directory: they run concurrently.
describe(
  'configuration at startup (the built service, dist/main.js)',
  { concurrency: true },
  () => {
    const dirs: string[] = [];
    /** A fresh working directory (no .env) whose data/ would hold the SQLite file and secret. */
    const freshDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'otp-auth-startup-'));
      dirs.push(dir);
      return dir;
    };
    const sqliteIn = (dir: string) => `sqlite:${join(dir, 'data', 'otp-auth.sqlite')}`;

    before(() => {
      // Builds dist/ from the current sources, so that the test never runs a stale build.
      const build = spawnSync(NODE, [join(REPO, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
        cwd: REPO,
        encoding: 'utf8',
      });
      assert.equal(build.status, 0, `nest build failed:\n${build.stdout}\n${build.stderr}`);
    });
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });

    it('a valid configuration starts and listens (the control for the cases below)', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { PORT: '0', DATABASE_URL: sqliteIn(cwd) }, /listening on/);

      assert.match(run.stdout, /listening on/);
      assert.doesNotMatch(run.stderr, /config error/);
    });

    it('PORT=abc: exit code 1, one line naming PORT', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { PORT: 'abc', DATABASE_URL: sqliteIn(cwd) });

      assertRefused(run, [/PORT .*"abc"/]);
    });

    it('OTP_TTL=5x: exit code 1, one line naming OTP_TTL', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { OTP_TTL: '5x', DATABASE_URL: sqliteIn(cwd) });

      assertRefused(run, [/OTP_TTL .*"5x"/]);
    });

    it('NODE_ENV=production alone: one line each for JWT_SECRET, MAIL_URL and APP_URL', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { NODE_ENV: 'production', DATABASE_URL: sqliteIn(cwd) });

      assertRefused(run, [
        /JWT_SECRET is required/,
        /MAIL_URL is required/,
        /APP_URL must be the service's public address .*"http:\/\/localhost:3000"/,
      ]);
    });

    it('NODE_ENV=prod: refused in one line naming the values it takes', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { NODE_ENV: 'prod', DATABASE_URL: sqliteIn(cwd) });

      assertRefused(run, [
        /^config error: NODE_ENV must be development, production or test \(got "prod"\)$/,
      ]);
    });

    it('TRUST_PROXY=true: refused in one line asking for a hop count or the proxy addresses', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, { TRUST_PROXY: 'true', DATABASE_URL: sqliteIn(cwd) });

      assertRefused(run, [
        /TRUST_PROXY=true is refused: it trusts X-Forwarded-For entries any client writes; give the number of proxies in front \(TRUST_PROXY=1\) or their addresses/,
      ]);
    });

    it('TRUST_PROXY with two bad entries: one line for each', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, {
        TRUST_PROXY: '10.0.0.0/8,10.0.0.256,127.0.0.1,proxy',
        DATABASE_URL: sqliteIn(cwd),
      });

      assertRefused(run, [/TRUST_PROXY entry "10\.0\.0\.256"/, /TRUST_PROXY entry "proxy"/]);
    });

    it('production with a repeated-character JWT_SECRET and APP_URL on localhost: one line for each', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, {
        NODE_ENV: 'production',
        JWT_SECRET: 'p'.repeat(48),
        MAIL_URL: 'smtps://127.0.0.1:2525',
        APP_URL: 'http://127.0.0.1:3000',
        DATABASE_URL: sqliteIn(cwd),
      });

      assertRefused(run, [
        /JWT_SECRET is too weak for production/,
        /APP_URL .*"http:\/\/127\.0\.0\.1:3000"/,
      ]);
    });

    it('production with MAIL_URL over SMTP without TLS: starts, with one warning line', async () => {
      const cwd = freshDir();
      const run = await runService(
        cwd,
        {
          NODE_ENV: 'production',
          NO_COLOR: '1',
          PORT: '0',
          JWT_SECRET: STRONG_SECRET,
          MAIL_URL: 'smtp://127.0.0.1:2525',
          APP_URL: 'https://auth.example.com',
          DATABASE_URL: sqliteIn(cwd),
        },
        /listening on/,
      );

      assert.match(run.stdout, /listening on/);
      const warnings = run.stdout.split('\n').filter((line) => /MAIL_URL/.test(line));
      assert.equal(warnings.length, 1, run.stdout);
      assert.match(
        warnings[0],
        /WARN .*MAIL_URL does not require TLS: .*smtps:\/\/ or add \?requireTLS=true/,
      );
    });

    it('JWT_ALGORITHM=EdDSA in production: no key, or a key of another type, is one line', async () => {
      const production = {
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        MAIL_URL: 'smtp://127.0.0.1:2525',
        APP_URL: 'https://auth.example.com',
        JWT_ALGORITHM: 'EdDSA',
      };
      const withoutKey = freshDir();
      assertRefused(
        await runService(withoutKey, { ...production, DATABASE_URL: sqliteIn(withoutKey) }),
        [
          /^config error: JWT_PRIVATE_KEY is required when NODE_ENV=production and JWT_ALGORITHM=EdDSA$/,
        ],
      );
      const wrongKey = freshDir();
      const env = { ...production, ...signingEnv('ES256'), JWT_ALGORITHM: 'EdDSA' };
      assertRefused(await runService(wrongKey, { ...env, DATABASE_URL: sqliteIn(wrongKey) }), [
        /^config error: JWT_PRIVATE_KEY is an ec \(prime256v1\) key, but JWT_ALGORITHM=EdDSA needs an Ed25519 key$/,
      ]);
    });

    it('AUTH_EXPOSE_RESET_TOKEN=true in production is refused', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, {
        NODE_ENV: 'production',
        JWT_SECRET: STRONG_SECRET,
        MAIL_URL: 'smtp://127.0.0.1:2525',
        APP_URL: 'https://auth.example.com',
        AUTH_EXPOSE_RESET_TOKEN: 'true',
        DATABASE_URL: sqliteIn(cwd),
      });

      assertRefused(run, [/AUTH_EXPOSE_RESET_TOKEN/]);
    });

    it('a JWT_SECRET shorter than 32 bytes is refused', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, {
        JWT_SECRET: 'too-short-secret',
        DATABASE_URL: sqliteIn(cwd),
      });

      assertRefused(run, [/JWT_SECRET must be at least 32 bytes/]);
    });

    it('several problems at once: every one reported in one round, and no secret generated', async () => {
      const cwd = freshDir();
      const run = await runService(cwd, {
        PORT: 'abc',
        OTP_TTL: '5x',
        OTP_MAX_ATTEMPTS: '0',
        EMAIL_VALIDATION_FAIL_OPEN: 'maybe',
        MAILBOXLAYER_TIMEOUT_MS: '10',
        DATABASE_URL: sqliteIn(cwd),
      });

      assertRefused(run, [
        /PORT/,
        /OTP_TTL/,
        /OTP_MAX_ATTEMPTS/,
        /EMAIL_VALIDATION_FAIL_OPEN/,
        /MAILBOXLAYER_TIMEOUT_MS/,
      ]);
      assert.equal(existsSync(join(cwd, 'data')), false, 'a refused start left files behind');
    });
  },
);
