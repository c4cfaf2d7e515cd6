import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SmtpSink, otpFrom } from '../support/smtp-sink.js';

/**
 * The packed package in a fresh host app: `npm pack`, a new Nest app on Express in a temp
 * directory that installs the tarball, imports the module with `forRootAsync`, guards its own
 * route with the exported guard and `@CurrentUser()`, opens another with `@Public()`, and runs
 * register → confirm → login → its own route → logout → 401. The host uses PostgreSQL (the
 * machines run it on 127.0.0.1:5432), as a host app in production would.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const HOST_SOURCE = join(REPO, 'test/package/host-app');
const NODE = join(REPO, 'node_modules/.bin/node');
const NPM_TIMEOUT_MS = 240_000;

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: NPM_TIMEOUT_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function psql(sql: string): void {
  run('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql], REPO);
}

describe(
  'otp-auth installed from its tarball into a fresh Nest host app',
  { timeout: 420_000 },
  () => {
    const workDir = mkdtempSync(join(tmpdir(), 'otp-auth-host-'));
    const database = `otp_auth_host_${process.pid}`;
    let smtp: SmtpSink;
    let host: ChildProcess | undefined;
    let baseUrl = '';
    let tarball: { filename: string; size: number; entryCount: number };

    before(async () => {
      const packed = JSON.parse(
        run('npm', ['pack', '--json', '--pack-destination', workDir], REPO),
      ) as (typeof tarball)[];
      tarball = packed[0];
      console.log(
        `# tarball ${tarball.filename}: ${tarball.size} bytes, ${tarball.entryCount} files`,
      );

      const ours = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      };
      const appDir = join(workDir, 'app');
      cpSync(HOST_SOURCE, appDir, { recursive: true });
      const pin = (name: string) => ours.devDependencies[name];
      writeFileSync(
        join(appDir, 'package.json'),
        JSON.stringify({
          name: 'host-app',
          private: true,
          type: 'module',
          dependencies: {
            'otp-auth': `file:${join(workDir, tarball.filename)}`,
            '@nestjs/common': pin('@nestjs/common'),
            '@nestjs/core': pin('@nestjs/core'),
            '@nestjs/platform-express': pin('@nestjs/platform-express'),
            'reflect-metadata': pin('reflect-metadata'),
            rxjs: pin('rxjs'),
          },
        }),
      );
      run(
        'npm',
        ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
        appDir,
      );
      run(NODE, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], appDir);

      psql(`DROP DATABASE IF EXISTS ${database}`);
      psql(`CREATE DATABASE ${database}`);
      smtp = await new SmtpSink().start();
      host = spawn(NODE, ['dist/host.module.js'], {
        cwd: appDir,
        env: {
          PATH: process.env.PATH,
          NODE_ENV: 'test',
          DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
          MAIL_URL: smtp.url,
          JWT_SECRET: 'host-app-secret-0123456789abcdef0123456789',
          OTP_RESEND_COOLDOWN: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      baseUrl = await new Promise<string>((resolveUrl, reject) => {
        let output = '';
        const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 60_000);
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          const match = /HOST_LISTENING (\S+)/.exec(output);
          if (match) {
            clearTimeout(timer);
            resolveUrl(match[1]);
          }
        };
        host!.stdout!.on('data', onData);
        host!.stderr!.on('data', onData);
        host!.on('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
      });
    });

    after(async () => {
      host?.kill('SIGTERM');
      await new Promise((done) =>
        host && host.exitCode === null ? host.once('exit', done) : done(null),
      );
      await smtp?.stop();
      try {
        psql(`DROP DATABASE IF EXISTS ${database}`);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    });

    async function call(method: string, path: string, body?: unknown, token?: string) {
      const response = await fetch(baseUrl + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    it('is a small tarball of the build', () => {
      assert.ok(tarball.entryCount > 50 && tarball.entryCount < 400, `${tarball.entryCount} files`);
      assert.ok(tarball.size < 500_000, `${tarball.size} bytes`);
    });

    it("serves the host's public route and guards its private one", async () => {
      assert.deepEqual((await call('GET', '/host/public')).body, { open: true });
      assert.equal((await call('GET', '/host/private')).status, 401);
    });

    it('runs register → confirm → login → the host route → logout → 401 under the chosen prefix', async () => {
      const email = `host-${process.pid}@example.com`;
      const password = 'quiet orchard lantern';
      const register = await call('POST', '/auth/register/', {
        email,
        password,
        full_name: 'Host User',
      });
      assert.equal(register.status, 200, JSON.stringify(register.body));

      const confirm = await call('POST', '/auth/confirm-otp', {
        email,
        otp: otpFrom(await smtp.waitForMail(email)),
      });
      assert.equal(confirm.status, 201, JSON.stringify(confirm.body));
      const userId = (confirm.body.user as { id: string }).id;

      const login = await call('POST', '/auth/login', { email, password });
      assert.equal(login.status, 200);
      const { access, refresh } = login.body as { access: string; refresh: string };

      const mine = await call('GET', '/host/private', undefined, access);
      assert.equal(mine.status, 200);
      assert.equal(mine.body.owner, userId);
      assert.deepEqual(mine.body.registered, [email], 'the onUserRegistered hook ran');

      const logout = await call('POST', '/auth/logout', { refresh_token: refresh }, access);
      assert.equal(logout.status, 200, JSON.stringify(logout.body));
      assert.equal((await call('GET', '/host/private', undefined, access)).status, 401);
    });
  },
);
