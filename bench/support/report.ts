import type { ProfileLine } from './cpu-profile.js';
import type { ScenarioResult } from './load.js';
import type { BenchOptions, ScenarioName } from './options.js';
import type { SeedCounts } from './seed.js';

/** A scenario's ceiling, measured in slices alternating with it. */
export interface Ceiling {
  name: string;
  rate: number;
  result: ScenarioResult;
  argon2?: {
    params: { memoryCostKiB: number; timeCost: number; parallelism: number };
    concurrency: number;
  };
}

/**
 * What the framework alone costs for a request shaped like the scenario's, measured in slices
 * alternating with the bare ceiling: no target, it tells how much of the ceiling is left for the
 * service's own work.
 */
export interface FrameworkReference {
  result: ScenarioResult;
  bare: ScenarioResult;
}

/** A scenario's figures with the ceiling measured next to it. */
export interface PairedResult extends ScenarioResult {
  ceiling: Ceiling;
  reference?: FrameworkReference;
}

export interface PendingFootprint {
  count: number;
  method: string;
  secondsToStore: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  peakRssBytes: number;
  bytesPerRegistration: number;
}

/** What bench/revocation-writes.ts measured on one SQLite file. */
export interface RevocationWrites {
  rows: number;
  users: number;
  concurrency: number;
  rowsPerSecond: number;
  cpuUsPerRow: number;
}

export interface ServiceRun {
  name: string;
  description: { database: string; store: string };
  seeded?: SeedCounts;
  scenarios: PairedResult[];
  profile?: { functions: ProfileLine[]; packages: ProfileLine[] };
}

export interface Verdict {
  run: string;
  check: string;
  value: number;
  target: string;
  ok: boolean;
}

export interface BenchReport {
  date: string;
  command: string;
  machine: {
    node: string;
    cores: number;
    cpu: string;
    memoryBytes: number;
    threadPool: number;
    serviceNodeArgs: string[];
  };
  options: BenchOptions;
  runs: ServiceRun[];
  pending?: PendingFootprint;
  /** Revocations from many users, on an empty file and on the seeded one. */
  revocationWrites?: { empty: RevocationWrites; seeded: RevocationWrites };
  external:
    { ran: true; postgresDatabase: string; redisDatabase: number } | { ran: false; reason: string };
  verdicts: Verdict[];
}

/** Each scenario's ceiling and the share of it the issue asks for. */
const TARGETS: Record<ScenarioName, { ceiling: string; min: number }> = {
  me: { ceiling: 'bare', min: 0.7 },
  login: { ceiling: 'argon2 verify', min: 0.85 },
  refresh: { ceiling: 'bare', min: 0.4 },
  pairs: { ceiling: 'argon2 hash', min: 0.8 },
};
const SCALE_MAX_CHANGE = 0.1;
const PENDING_MAX_RSS = 200 * 2 ** 20;

const LABELS: Record<ScenarioName, string> = {
  me: 'GET me/',
  login: 'POST login/',
  refresh: 'POST token/refresh/ (rotation chains)',
  pairs: 'register + confirm pairs',
};

/** The ratio of a scenario to its ceiling. */
export function ratioOf(result: PairedResult): number {
  return result.rate / result.ceiling.rate;
}

/** Every target of the issue, checked against this run's figures. */
export function evaluate(report: BenchReport): Verdict[] {
  const verdicts: Verdict[] = [];
  const empty = report.runs.find((run) => run.name === 'sqlite');
  for (const run of report.runs) {
    for (const result of run.scenarios) {
      const name = result.name as ScenarioName;
      const { ceiling, min } = TARGETS[name];
      const ratio = ratioOf(result);
      const bareErrors = result.ceiling.result.errors;
      verdicts.push({
        run: run.name,
        check: `${name} ceiling errors`,
        value: bareErrors,
        target: '= 0',
        ok: bareErrors === 0,
      });
      verdicts.push({
        run: run.name,
        check: `${name} / ${ceiling}`,
        value: ratio,
        target: `≥ ${min.toFixed(2)}`,
        ok: ratio >= min,
      });
      verdicts.push({
        run: run.name,
        check: `${name} errors`,
        value: result.errors,
        target: '= 0',
        ok: result.errors === 0,
      });
      const reference = run.seeded && empty?.scenarios.find((r) => r.name === result.name);
      if (reference?.cpuUs && result.cpuUs) {
        // Compared as the server's CPU time per request, which the load other processes put on
        // the machine moves far less than the rate (see the README).
        const change = result.cpuUs / reference.cpuUs - 1;
        verdicts.push({
          run: run.name,
          check: `${name} CPU per request, seeded vs empty`,
          value: change,
          target: `≤ +${SCALE_MAX_CHANGE * 100}%`,
          ok: change <= SCALE_MAX_CHANGE,
        });
      }
    }
  }
  if (report.revocationWrites) {
    const change = seededWritesChange(report.revocationWrites);
    verdicts.push({
      run: 'revocation writes',
      check: 'CPU per row, seeded vs empty',
      value: change,
      target: `≤ +${SCALE_MAX_CHANGE * 100}%`,
      ok: change <= SCALE_MAX_CHANGE,
    });
  }
  if (report.pending) {
    const added = report.pending.rssAfterBytes - report.pending.rssBeforeBytes;
    verdicts.push({
      run: 'pending',
      check: `RSS added by ${report.pending.count} pending registrations (MB)`,
      value: added / 2 ** 20,
      target: `< ${PENDING_MAX_RSS / 2 ** 20}`,
      ok: added < PENDING_MAX_RSS,
    });
  }
  return verdicts;
}

function seededWritesChange(writes: { empty: RevocationWrites; seeded: RevocationWrites }): number {
  return writes.seeded.cpuUsPerRow / writes.empty.cpuUsPerRow - 1;
}

const mb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(0);
const rate = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)}%`;

function runLabel(run: ServiceRun): string {
  const seeded = run.seeded
    ? ` (${run.seeded.users.toLocaleString('en')} users, ${run.seeded.blacklist.toLocaleString('en')} blacklist rows)`
    : '';
  return `${run.description.database}${seeded} + ${run.description.store}`;
}

function bareText(bare: ScenarioResult): string {
  return `bare ${rate(bare.rate)} req/s, p50 ${bare.p50Ms} p99 ${bare.p99Ms} ms, ${bare.errors} errors`;
}

const REFERENCE_LABEL = 'reference: bare app POST, refresh body validated, pair answered, no work';

function referenceRow(run: string, { result, bare }: FrameworkReference): string[] {
  const cpuRatio =
    bare.cpuUs && result.cpuUs ? ` (CPU ${(bare.cpuUs / result.cpuUs).toFixed(2)})` : '';
  return [
    run,
    REFERENCE_LABEL,
    `${rate(result.rate)} ${result.unit}`,
    String(result.p50Ms ?? ''),
    String(result.p99Ms ?? ''),
    String(result.errors),
    '',
    result.cpuUs === null ? '' : result.cpuUs.toFixed(0),
    bareText(bare),
    `${(result.rate / bare.rate).toFixed(2)} × bare${cpuRatio}`,
    'none',
  ];
}

/** The results as a Markdown table (what the README shows), then the verdicts. */
export function renderTable(report: BenchReport): string {
  const rows: string[][] = [
    [
      'run',
      'scenario',
      'rate',
      'p50 ms',
      'p99 ms',
      'errors',
      'peak RSS MB',
      'server CPU µs each',
      'ceiling (interleaved)',
      'ratio',
      'target',
    ],
  ];
  const empty = report.runs.find((run) => run.name === 'sqlite');
  for (const run of report.runs) {
    for (const result of run.scenarios) {
      const name = result.name as ScenarioName;
      const { ceiling, min } = TARGETS[name];
      const ratio = ratioOf(result);
      const reference = run.seeded && empty?.scenarios.find((r) => r.name === result.name);
      const change =
        reference && reference.cpuUs && result.cpuUs
          ? `; vs empty: CPU ${percent(result.cpuUs / reference.cpuUs - 1)}, ratio ${percent(ratio / ratioOf(reference) - 1)}`
          : '';
      const ok = ratio >= min && result.errors === 0;
      const c = result.ceiling;
      const ceilingText = c.argon2
        ? `argon2id ${c.name.split(' ')[1]} ${rate(c.rate)}/s, ${c.argon2.concurrency} threads, m=${c.argon2.params.memoryCostKiB} KiB t=${c.argon2.params.timeCost} p=${c.argon2.params.parallelism}`
        : bareText(c.result);
      // The same comparison in CPU time per request, which the machine's other load moves less.
      const cpuRatio =
        c.result.cpuUs && result.cpuUs
          ? ` (CPU ${(c.result.cpuUs / result.cpuUs).toFixed(2)})`
          : '';
      rows.push([
        runLabel(run),
        LABELS[name],
        `${rate(result.rate)} ${result.unit}`,
        String(result.p50Ms ?? ''),
        String(result.p99Ms ?? ''),
        String(result.errors),
        mb(result.peakRssBytes),
        result.cpuUs === null ? '' : result.cpuUs.toFixed(0),
        ceilingText,
        `${ratio.toFixed(2)} × ${ceiling}${cpuRatio}${change}`,
        `≥ ${min.toFixed(2)} ${ok ? '✔' : '✘'}`,
      ]);
      if (result.reference) rows.push(referenceRow(runLabel(run), result.reference));
    }
  }
  if (report.revocationWrites) {
    const { empty, seeded } = report.revocationWrites;
    const change = seededWritesChange(report.revocationWrites);
    for (const [label, writes] of [
      ['SQLite (empty)', empty],
      ['SQLite (seeded)', seeded],
    ] as const) {
      rows.push([
        `${label} + in-process`,
        `revocations from ${writes.users.toLocaleString('en')} users, ${writes.concurrency} at a time (the refresh's write, in process)`,
        `${rate(writes.rowsPerSecond)} rows/s`,
        '',
        '',
        '',
        '',
        writes.cpuUsPerRow.toFixed(1),
        '',
        writes === seeded ? `vs empty: CPU ${percent(change)}` : '',
        writes === seeded
          ? `≤ +${SCALE_MAX_CHANGE * 100}% ${change <= SCALE_MAX_CHANGE ? '✔' : '✘'}`
          : '',
      ]);
    }
  }
  if (report.pending) {
    const p = report.pending;
    const added = p.rssAfterBytes - p.rssBeforeBytes;
    rows.push([
      'SQLite + in-process',
      `${p.count.toLocaleString('en')} pending registrations in the store: RSS added (service RSS before → after)`,
      '',
      '',
      '',
      '',
      `${mb(added)} (${mb(p.rssBeforeBytes)} → ${mb(p.rssAfterBytes)})`,
      '',
      '',
      `${(p.bytesPerRegistration / 1024).toFixed(2)} KiB each`,
      `< 200 MB ${added < PENDING_MAX_RSS ? '✔' : '✘'}`,
    ]);
  }
  const table = rows.map((cells) => `| ${cells.join(' | ')} |`);
  table.splice(1, 0, `|${rows[0].map(() => '---').join('|')}|`);
  const failed = report.verdicts.filter((verdict) => !verdict.ok);
  const summary =
    failed.length === 0
      ? `All ${report.verdicts.length} checks pass.`
      : `${failed.length} of ${report.verdicts.length} checks fail: ${failed
          .map((v) => `${v.run} ${v.check} = ${v.value.toFixed(2)} (${v.target})`)
          .join('; ')}`;
  const externalNote = report.external.ran
    ? ''
    : `\nPostgreSQL + Redis run skipped: ${report.external.reason}.`;
  return `${table.join('\n')}\n\n${summary}${externalNote}`;
}
