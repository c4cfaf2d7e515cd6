import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** `redocly.yaml`: the `recommended` ruleset, and SPEC's trailing slashes. */
const REDOCLY_CONFIG = fileURLToPath(new URL('../../../redocly.yaml', import.meta.url));

/** The CLI of the @redocly/cli devDependency, run with the Node that runs the tests. */
const REDOCLY_CLI = (() => {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@redocly/cli/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: { redocly: string } };
  return join(dirname(manifestPath), manifest.bin.redocly);
})();

/**
 * The warnings the document keeps, each for a reason: `/health` and `/dev/outbox.json` take no
 * input (a GET body is ignored), so they have no 4xx to document.
 */
const ACCEPTED_WARNINGS = [
  'operation-4xx-response #/paths/~1health/get/responses',
  'operation-4xx-response #/paths/~1dev~1outbox.json/get/responses',
];

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: {
    ruleId: string;
    severity: 'error' | 'warn';
    message: string;
    location: { pointer: string }[];
  }[];
}

/** Lints `document` with Redocly's CLI (offline: no telemetry, no update check). */
async function lint(document: unknown, dir: string): Promise<LintReport> {
  const file = join(dir, `openapi-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(document, null, 2));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [REDOCLY_CLI, 'lint', file, '--config', REDOCLY_CONFIG, '--format', 'json'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        REDOCLY_TELEMETRY: 'off',
        REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
      },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
    // The CLI exits 1 when it finds errors; the report says which.
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return JSON.parse(stdout) as LintReport;
}

function describeProblems(report: LintReport, severity: 'error' | 'warn'): string[] {
  return report.problems
    .filter((problem) => problem.severity === severity)
    .map((problem) => `${problem.ruleId} ${problem.location[0]?.pointer ?? ''}`);
}

describe("the OpenAPI document passes Redocly's recommended lint", () => {
  let dir: string;
  let smtp: SmtpSink;
  const apps: TestApp[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-openapi-'));
    smtp = await new SmtpSink().start();
  });
  after(async () => {
    for (const app of apps) await app.close();
    await smtp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const variants: [string, () => Record<string, string>][] = [
    ['with the development outbox', () => ({})],
    ['with SMTP configured (no outbox)', () => ({ MAIL_URL: smtp.url })],
  ];
  for (const [variant, env] of variants) {
    it(`${variant}: no error, and only the warnings kept on purpose`, async (t) => {
      const app = await TestApp.start(env());
      apps.push(app);
      const served = await app.get('/docs-json');
      assert.equal(served.status, 200, served.text);

      const report = await lint(served.body, dir);

      const warnings = describeProblems(report, 'warn');
      t.diagnostic(`${report.totals.errors} errors, ${report.totals.warnings} warnings`);
      assert.deepEqual(describeProblems(report, 'error'), []);
      assert.equal(report.totals.errors, 0);
      const unexpected = warnings.filter((warning) => !ACCEPTED_WARNINGS.includes(warning));
      assert.deepEqual(unexpected, [], 'new lint warnings');
    });
  }
});
