import type { ProfileLine } from './cpu-profile.js';
import type { ScenarioResult } from './load.js';
import type { BenchOptions, ScenarioName } from './options.js';
import type { SeedCounts } from './seed.js';
import type { SessionWalk } from './session-walk.js';

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

/** A scenario's figures with the ceiling measured next to it. */
export interface PairedResult extends ScenarioResult {
  ceiling: Ceiling;
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

/**
 * Another run of the same bench whose scenarios a run's are compared with, by their ratios to the
 * ceilings measured alongside each:
 * the seeded file against the empty one, EdDSA signing against HS256.
 */
export interface RunComparison {
  /** The other run's name. */
  run: string;
  /** How the table names the comparison: "vs empty", "vs HS256". */
  label: string;
  /** Whether the scenario's own target against its ceiling applies too, or only the comparison. */
  ceilingTarget: boolean;
}

export interface ServiceRun {
  name: string;
  description: { database: string; store: string; signing?: string };
  seeded?: SeedCounts;
  comparison?: RunComparison;
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
  /** One account's sessions listed page by page, on the seeded file. */
  sessionWalk?: SessionWalk;
  external:
    { ran: true; postgresDatabase: string; redisDatabase: number } | { ran: false; reason: string };
  verdicts: Verdict[];
}

/** Each scenario's ceiling and the share of it the issue asks for. */
const TARGETS: Record<ScenarioName, { ceiling: string; min: number }> = {
  me: { ceiling: 'bare', min: 0.7 },
  login: { ceiling: 'argon2 verify', min: 0.85 },
  refresh: { ceiling: 'bare POST', min: 0.4 },
  pairs: { ceiling: 'argon2 hash', min: 0.8 },
};
/**
 * Most a cost may grow against its comparison: a ratio to the ceiling may fall by this much (seeded
 * vs empty, EdDSA vs HS256), a CPU cost within one run may rise by this much (last vs first pages,
 * revocation rows).
 */
const MAX_CHANGE = 0.1;
const PENDING_MAX_RSS = 200 * 2 ** 20;

const LABELS: Record<ScenarioName, string> = {
  me: 'GET me/',
  login: 'POST login/',
  refresh: 'POST token/refresh/ (rotation chains)',
  pairs: 'register + confirm pairs',
};

/** A scenario's share of its ceiling, by rate and by CPU per request (null when unmeasured). */
export function ratiosOf(result: PairedResult): { rate: number; cpu: number | null } {
  const ceilingCpu = result.ceiling.result.cpuUs;
  return {
    rate: result.rate / result.ceiling.rate,
    cpu: ceilingCpu && result.cpuUs ? ceilingCpu / result.cpuUs : null,
  };
}

/**
 * The ratio a verdict is given on: CPU per request (per operation for argon2), which the load of
 * the machine's other processes moves far less than rates; the rate only if CPU is unmeasured.
 */
export function judgedRatio(result: PairedResult): { basis: 'CPU' | 'rate'; value: number } {
  const { rate, cpu } = ratiosOf(result);
  return cpu === null ? { basis: 'rate', value: rate } : { basis: 'CPU', value: cpu };
}

/** The same scenario in the run this one is compared with, if both measured CPU. */
function comparedResult(
  report: BenchReport,
  run: ServiceRun,
  result: PairedResult,
): PairedResult | undefined {
  if (!run.comparison || !result.cpuUs) return undefined;
  const other = report.runs
    .find((candidate) => candidate.name === run.comparison!.run)
    ?.scenarios.find((candidate) => candidate.name === result.name);
  return other?.cpuUs ? other : undefined;
}

const cpuChange = (result: PairedResult, other: PairedResult) => result.cpuUs! / other.cpuUs! - 1;
/**
 * How a scenario's judged ratio to its own interleaved ceiling moved against the compared run's.
 * Raw CPU per request moves with the machine between runs (the bare ceiling's by up to a quarter
 * here); each run's ratio to a ceiling measured alongside it does not, so that is what is judged.
 */
const ratioChange = (result: PairedResult, other: PairedResult) =>
  judgedRatio(result).value / judgedRatio(other).value - 1;

function scenarioVerdicts(report: BenchReport, run: ServiceRun, result: PairedResult): Verdict[] {
  const name = result.name as ScenarioName;
  const { ceiling, min } = TARGETS[name];
  const verdicts: Verdict[] = [
    {
      run: run.name,
      check: `${name} ceiling errors`,
      value: result.ceiling.result.errors,
      target: '= 0',
      ok: result.ceiling.result.errors === 0,
    },
    {
      run: run.name,
      check: `${name} errors`,
      value: result.errors,
      target: '= 0',
      ok: result.errors === 0,
    },
  ];
  if (!run.comparison || run.comparison.ceilingTarget) {
    const { basis, value } = judgedRatio(result);
    verdicts.push({
      run: run.name,
      check: `${name} / ${ceiling} (${basis})`,
      value,
      target: `${basis} ≥ ${min.toFixed(2)}`,
      ok: value >= min,
    });
  }
  const other = comparedResult(report, run, result);
  if (other) {
    const change = ratioChange(result, other);
    verdicts.push({
      run: run.name,
      check: `${name} ratio to its ceiling, ${run.comparison!.label}`,
      value: change,
      target: `≥ −${MAX_CHANGE * 100}%`,
      ok: change >= -MAX_CHANGE,
    });
  }
  return verdicts;
}

function sessionWalkVerdicts(walk: SessionWalk): Verdict[] {
  const change = walkChange(walk);
  const faults = walk.duplicates + walk.missing + walk.outOfOrder;
  return [
    {
      run: 'session walk',
      check: 'errors',
      value: walk.errors,
      target: '= 0',
      ok: walk.errors === 0,
    },
    {
      run: 'session walk',
      check: `live sessions listed (of ${walk.liveRows})`,
      value: walk.listed,
      target: `= ${walk.liveRows}`,
      ok: walk.listed === walk.liveRows,
    },
    {
      run: 'session walk',
      check: 'duplicates + missing + out of order',
      value: faults,
      target: '= 0',
      ok: faults === 0,
    },
    {
      run: 'session walk',
      check: `CPU per page, last ${walk.window.pages} vs first ${walk.window.pages}`,
      value: change,
      target: `≤ +${MAX_CHANGE * 100}%`,
      ok: change <= MAX_CHANGE,
    },
  ];
}

/** Every target of the issue, checked against this run's figures. */
export function evaluate(report: BenchReport): Verdict[] {
  const verdicts: Verdict[] = [];
  for (const run of report.runs) {
    for (const result of run.scenarios) verdicts.push(...scenarioVerdicts(report, run, result));
  }
  if (report.revocationWrites) {
    const change = seededWritesChange(report.revocationWrites);
    verdicts.push({
      run: 'revocation writes',
      check: 'CPU per row, seeded vs empty',
      value: change,
      target: `≤ +${MAX_CHANGE * 100}%`,
      ok: change <= MAX_CHANGE,
    });
  }
  if (report.sessionWalk) verdicts.push(...sessionWalkVerdicts(report.sessionWalk));
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

function walkChange(walk: SessionWalk): number {
  return walk.window.lastCpuUs / walk.window.firstCpuUs - 1;
}

const mb = (bytes: number | null | undefined) =>
  bytes === null || bytes === undefined ? '' : (bytes / 2 ** 20).toFixed(0);
const rate = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const percent = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value * 100).toFixed(1)}%`;
const mark = (ok: boolean) => (ok ? '✔' : '✘');
const count = (value: number) => value.toLocaleString('en');

function runLabel(run: ServiceRun): string {
  const seeded = run.seeded
    ? ` (${count(run.seeded.users)} users, ${count(run.seeded.blacklist)} blacklist rows)`
    : '';
  return `${run.description.database}${seeded} + ${run.description.store}`;
}

function httpCeilingText(name: string, result: ScenarioResult): string {
  return `${name} ${rate(result.rate)} req/s, p50 ${result.p50Ms} p99 ${result.p99Ms} ms, ${result.errors} errors`;
}

function ceilingText(c: Ceiling): string {
  if (!c.argon2) return httpCeilingText(c.name, c.result);
  const { params } = c.argon2;
  return (
    `argon2id ${c.name.split(' ')[1]} ${rate(c.rate)}/s, ${c.argon2.concurrency} threads, ` +
    `m=${params.memoryCostKiB} KiB t=${params.timeCost} p=${params.parallelism}`
  );
}

/** The ratio cell: both ratios (CPU first, it is the one judged), then any comparison. */
function ratioText(report: BenchReport, run: ServiceRun, result: PairedResult): string {
  const { ceiling } = TARGETS[result.name as ScenarioName];
  const { rate: byRate, cpu } = ratiosOf(result);
  const both =
    cpu === null
      ? `rate ${byRate.toFixed(2)} × ${ceiling}`
      : `CPU ${cpu.toFixed(2)} × ${ceiling} (rate ${byRate.toFixed(2)})`;
  const other = comparedResult(report, run, result);
  if (!other) return both;
  return (
    `${both}; ${run.comparison!.label}: ratio ${percent(ratioChange(result, other))}, ` +
    `CPU ${percent(cpuChange(result, other))}`
  );
}

/** The verdict cell: which ratio was judged against what, and the comparison's verdict. */
function verdictText(report: BenchReport, run: ServiceRun, result: PairedResult): string {
  const parts: string[] = [];
  if (!run.comparison || run.comparison.ceilingTarget) {
    const { min } = TARGETS[result.name as ScenarioName];
    const { basis, value } = judgedRatio(result);
    parts.push(`${basis} ≥ ${min.toFixed(2)} ${mark(value >= min && result.errors === 0)}`);
  }
  const other = comparedResult(report, run, result);
  if (other) {
    const ok = ratioChange(result, other) >= -MAX_CHANGE && result.errors === 0;
    parts.push(`${run.comparison!.label}: ratio ≥ −${MAX_CHANGE * 100}% ${mark(ok)}`);
  }
  return parts.join('; ');
}

function scenarioRow(report: BenchReport, run: ServiceRun, result: PairedResult): string[] {
  const name = result.name as ScenarioName;
  const signing = run.description.signing ? ` (${run.description.signing})` : '';
  return [
    runLabel(run),
    `${LABELS[name]}${signing}`,
    `${rate(result.rate)} ${result.unit}`,
    String(result.p50Ms ?? ''),
    String(result.p99Ms ?? ''),
    String(result.errors),
    mb(result.peakRssBytes),
    result.cpuUs === null ? '' : result.cpuUs.toFixed(0),
    ceilingText(result.ceiling),
    ratioText(report, run, result),
    verdictText(report, run, result),
  ];
}

/**
 * Refresh's ceiling (the bare app's validated POST) against the bare GET, by CPU per request:
 * informative, with no target. Not measured on its own (that would take another pair of runs):
 * the two CPU figures come from the ceilings of `me` and `refresh` in the same service run.
 */
function referenceRow(run: ServiceRun): string[] | undefined {
  const find = (name: ScenarioName) => run.scenarios.find((r) => r.name === name)?.ceiling.result;
  const [post, get] = [find('refresh'), find('me')];
  if (!post?.cpuUs || !get?.cpuUs) return undefined;
  return [
    runLabel(run),
    "reference: refresh's ceiling, the bare app's POST (refresh body validated, pair answered, no work)",
    `${rate(post.rate)} ${post.unit}`,
    String(post.p50Ms ?? ''),
    String(post.p99Ms ?? ''),
    String(post.errors),
    '',
    post.cpuUs.toFixed(0),
    `bare GET, CPU ${get.cpuUs.toFixed(0)} µs each (the ceiling of me)`,
    `CPU ${(get.cpuUs / post.cpuUs).toFixed(2)} × bare GET`,
    'none',
  ];
}

function revocationRows(writes: { empty: RevocationWrites; seeded: RevocationWrites }): string[][] {
  const change = seededWritesChange(writes);
  return (
    [
      ['SQLite (empty)', writes.empty],
      ['SQLite (seeded)', writes.seeded],
    ] as const
  ).map(([label, measured]) => {
    const seeded = measured === writes.seeded;
    return [
      `${label} + in-process`,
      `revocations from ${count(measured.users)} users, ${measured.concurrency} at a time (the refresh's write, in process)`,
      `${rate(measured.rowsPerSecond)} rows/s`,
      '',
      '',
      '',
      '',
      measured.cpuUsPerRow.toFixed(1),
      '',
      seeded ? `vs empty: CPU ${percent(change)}` : '',
      seeded ? `≤ +${MAX_CHANGE * 100}% ${mark(change <= MAX_CHANGE)}` : '',
    ];
  });
}

function sessionWalkRows(walk: SessionWalk): string[][] {
  const change = walkChange(walk);
  const { pages, rounds, firstCpuUs, lastCpuUs } = walk.window;
  const complete =
    walk.errors === 0 &&
    walk.listed === walk.liveRows &&
    walk.duplicates + walk.missing + walk.outOfOrder === 0;
  const rows = [
    [
      'SQLite (seeded) + in-process',
      `GET sessions/: one account's ${count(walk.liveRows)} live sessions walked, ${walk.pageSize} a page (server CPU: first → last ${pages} pages, ${rounds} times each)`,
      `${count(walk.pages)} pages in ${walk.seconds.toFixed(1)} s`,
      String(walk.p50Ms ?? ''),
      String(walk.p99Ms ?? ''),
      String(walk.errors),
      '',
      `${firstCpuUs.toFixed(0)} → ${lastCpuUs.toFixed(0)}`,
      '',
      `last vs first pages: CPU ${percent(change)}; listed ${count(walk.listed)}, ` +
        `${walk.duplicates} duplicates, ${walk.missing} missing, ${walk.outOfOrder} out of order`,
      `≤ +${MAX_CHANGE * 100}% ${mark(change <= MAX_CHANGE)}; complete ${mark(complete)}`,
    ],
  ];
  if (walk.small) {
    rows.push([
      'SQLite (seeded) + in-process',
      `GET sessions/ of an account with ${walk.small.sessions} sessions (one page), for comparison`,
      `${walk.small.requests} requests`,
      String(walk.small.p50Ms ?? ''),
      '',
      '0',
      '',
      walk.small.cpuUs.toFixed(0),
      '',
      '',
      'none',
    ]);
  }
  return rows;
}

function pendingRow(p: PendingFootprint): string[] {
  const added = p.rssAfterBytes - p.rssBeforeBytes;
  return [
    'SQLite + in-process',
    `${count(p.count)} pending registrations in the store: RSS added (service RSS before → after)`,
    '',
    '',
    '',
    '',
    `${mb(added)} (${mb(p.rssBeforeBytes)} → ${mb(p.rssAfterBytes)})`,
    '',
    '',
    `${(p.bytesPerRegistration / 1024).toFixed(2)} KiB each`,
    `< 200 MB ${mark(added < PENDING_MAX_RSS)}`,
  ];
}

const HEADER = [
  'run',
  'scenario',
  'rate',
  'p50 ms',
  'p99 ms',
  'errors',
  'peak RSS MB',
  'server CPU µs each',
  'ceiling (interleaved)',
  'ratio (CPU per request, rate)',
  'verdict',
];

function summaryOf(report: BenchReport): string {
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
  return `${summary}${externalNote}`;
}

/** The results as a Markdown table (what the README shows), then the verdicts. */
export function renderTable(report: BenchReport): string {
  const rows: string[][] = [HEADER];
  for (const run of report.runs) {
    for (const result of run.scenarios) rows.push(scenarioRow(report, run, result));
    const reference = run.name === 'sqlite' ? referenceRow(run) : undefined;
    if (reference) rows.push(reference);
  }
  if (report.revocationWrites) rows.push(...revocationRows(report.revocationWrites));
  if (report.sessionWalk) rows.push(...sessionWalkRows(report.sessionWalk));
  if (report.pending) rows.push(pendingRow(report.pending));
  const table = rows.map((cells) => `| ${cells.join(' | ')} |`);
  table.splice(1, 0, `|${rows[0].map(() => '---').join('|')}|`);
  return `${table.join('\n')}\n\n${summaryOf(report)}`;
}
