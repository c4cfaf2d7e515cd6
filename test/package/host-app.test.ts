import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LEAKY_JSON, itKeepsTheModuleConventions } from '../support/module-host.js';
import { GOOD_PASSWORD, Messages, outboxCode, registrationBody } from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { ApiClient } from '../support/test-app.js';

/**
 * The packed package in a fresh host app: `npm pack`, a new Nest app on Express in a temp
 * directory that installs the tarball and compiles the app of docs/module.md (its files are
 * test/package/host-app/src/app.module.ts and main.ts, which the unit test of the doc finds
 * there word for word), then runs it as documented — no global pipe, no global filter — and in
 * two other setups (`other-hosts.ts`): a plain ValidationPipe with the host's own exception
 * filter, and the exported RequestValidationPipe as global pipe. In each, the module's routes keep
 * the module's validation, normalization and error shape, and the flow reaches the host's guarded
 * route; the host's own route keeps the host's behaviour. The host uses PostgreSQL (the machines
 * run it on 127.0.0.1:5432), as a host app in production would.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const HOST_SOURCE = join(REPO, 'test/package/host-app');
const NODE = join(REPO, 'node_modules/.bin/node');
// Installing the tarball and its ~660 packages from the npm cache takes 4 to 10 minutes on a busy
// two-core machine.
const NPM_TIMEOUT_MS = 900_000;

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

/** Starts `script` of the compiled host and resolves with its base URL. */
function startHost(
  appDir: string,
  script: string,
  env: Record<string, string>,
): Promise<{ process: ChildProcess; baseUrl: string }> {
  const host = spawn(NODE, [script], {
    cwd: appDir,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveHost, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`host did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolveHost({ process: host, baseUrl: match[1] });
      }
    };
    host.stdout.on('data', onData);
    host.stderr.on('data', onData);
    host.on('exit', (code) => reject(new Error(`host exited with ${code}:\n${output}`)));
  });
}

async function stopHost(host: ChildProcess | undefined): Promise<void> {
  if (!host || host.exitCode !== null) return;
  const exited = new Promise((done) => host.once('exit', done));
  host.kill('SIGTERM');
  await exited;
}

describe(
  'otp-auth installed from its tarball into a fresh Nest host app',
  { timeout: 1_800_000 },
  () => {
    const workDir = mkdtempSync(join(tmpdir(), 'otp-auth-host-'));
    const appDir = join(workDir, 'app');
    const database = `otp_auth_host_${process.pid}`;
    let smtp: SmtpSink;
    let hostEnv: Record<string, string>;
    let tarball: {
      filename: string;
      size: number;
      entryCount: number;
      files: { path: string }[];
    };

    before(async () => {
      const packed = JSON.parse(
        run('npm', ['pack', '--json', '--pack-destination', workDir], REPO),
      ) as (typeof tarball)[];
      tarball = packed[0];
      // The figure docs/module.md points to: measured on every run, never written by hand.
      console.log(
        `# tarball ${tarball.filename}: ${tarball.size} bytes, ${tarball.entryCount} files`,
      );

      const ours = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      };
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
            'class-validator': pin('class-validator'),
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
      hostEnv = {
        NODE_ENV: 'test',
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${database}`,
        MAIL_URL: smtp.url,
        JWT_SECRET: 'host-app-secret-0123456789abcdef0123456789',
        OTP_RESEND_COOLDOWN: '0',
      };
    });

    after(async () => {
      await smtp?.stop();
      try {
        psql(`DROP DATABASE IF EXISTS ${database}`);
      } finally {
        rmSync(workDir, { recursive: true, force: true });
      }
    });

    it('is a small tarball of the build: compiled modules with their types, and three files', () => {
      // What it holds, not how many: the count grows with every module of the product.
      const paths = tarball.files.map((file) => file.path);
      const compiled = paths.filter((path) => /^dist\/.+\.(js|d\.ts)$/.test(path));
      const others = paths.filter((path) => !compiled.includes(path)).sort();
      assert.deepEqual(others, ['.env.example', 'README.md', 'package.json']);
      const notProduct = compiled.filter((path) => /^dist\/(test|bench)\//.test(path));
      assert.deepEqual(notProduct, [], 'tests or bench code in the package');
      const modules = compiled.filter((path) => path.endsWith('.js'));
      assert.ok(modules.length > 50, `${modules.length} modules`);
      for (const module of modules) {
        assert.ok(compiled.includes(module.replace(/\.js$/, '.d.ts')), `${module} has no types`);
      }
      assert.equal(tarball.entryCount, paths.length);
      assert.ok(tarball.size < 500_000, `${tarball.size} bytes`);
    });

    it('runs as copied from docs/module.md with no configuration at all: SQLite, the development outbox', async () => {
      const { process: host, baseUrl } = await startHost(appDir, 'dist/main.js', {});
      try {
        const api = new ApiClient(baseUrl);
        const email = 'copied@example.com';
        const register = await api.post('/api/users/register', registrationBody({ email }));
        assert.equal(register.status, 200, register.text);
        const confirm = await api.post<{ user: { id: string } }>('/api/users/confirm-otp', {
          email,
          otp: await outboxCode(api, email),
        });
        assert.equal(confirm.status, 201, confirm.text);
        const login = await api.post<{ access: string }>('/api/users/login', {
          email,
          password: GOOD_PASSWORD,
        });
        assert.equal(login.status, 200, login.text);
        const mine = await api.get('/orders/mine', { token: login.body.access });
        assert.deepEqual(mine.body, { owner: confirm.body.user.id });
      } finally {
        await stopHost(host);
      }
    });

    const setups = [
      { name: 'the app of docs/module.md (no global pipe or filter)', script: 'dist/main.js' },
      {
        name: "a plain ValidationPipe and the host's own exception filter",
        script: 'dist/other-hosts.js',
        setup: 'plain',
      },
      {
        name: 'the exported RequestValidationPipe as global pipe',
        script: 'dist/other-hosts.js',
        setup: 'previous',
      },
    ];
    for (const { name, script, setup } of setups) {
      describe(`in ${name}`, () => {
        const api = new ApiClient();
        let host: ChildProcess | undefined;

        before(async () => {
          const started = await startHost(appDir, script, { ...hostEnv, HOST_SETUP: setup ?? '' });
          host = started.process;
          api.baseUrl = started.baseUrl;
        });
        after(() => stopHost(host));

        itKeepsTheModuleConventions(() => ({
          api,
          smtp,
          prefix: '/api/users',
          guardedPath: '/orders/mine',
        }));

        if (setup === 'plain') {
          it("leaves the host's own route to the host's pipe and filter", async () => {
            const typed = await api.post('/newsletter', { email: 'Ada@Example.com' });
            assert.equal(typed.status, 201, typed.text);
            assert.equal(typed.body.subscribed, 'Ada@Example.com', 'the module normalized it');
            const invalid = await api.post('/newsletter', { email: 'not an address' });
            assert.equal(invalid.status, 400);
            assert.deepEqual(Object.keys(invalid.body), ['problem'], invalid.text);
            const malformed = await api.post('/newsletter', LEAKY_JSON, {
              headers: { 'content-type': 'application/json' },
            });
            assert.equal(malformed.status, 400);
            assert.deepEqual(Object.keys(malformed.body), ['problem'], malformed.text);
            assert.notEqual(malformed.body.problem, Messages.malformedJson, "the module's answer");
          });
        }
      });
    }
  },
);
