import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  median,
  Messages,
  Paths,
  registerAndConfirm,
  sessionEnv,
  timed,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

const WARM_UP = 3;
const SAMPLES = 15;
/**
 * Two medians count as close when they differ by less than 35 % of the larger one, or by less than
 * 10 ms (for answers that take a few milliseconds, where scheduling noise dominates): loose
 * enough for a loaded 2-core machine, tight enough to catch a skipped argon2 verification (about
 * 20 ms here) or an e-mail sent on the request path (about 100 ms), either of which makes one side
 * several times slower than the other.
 */
const RELATIVE_TOLERANCE = 0.35;
const ABSOLUTE_TOLERANCE_MS = 10;

interface Comparison {
  known: number;
  unknown: number;
  knownBodies: Set<string>;
  unknownBodies: Set<string>;
}

/**
 * Times `known` and `unknown` requests, interleaved (and alternating which goes first) after a
 * warm-up, so that load on the machine affects both sides alike.
 */
async function compare(
  known: (sample: number) => Promise<TestResponse<SessionBody>>,
  unknown: (sample: number) => Promise<TestResponse<SessionBody>>,
): Promise<Comparison> {
  for (let i = 0; i < WARM_UP; i += 1) {
    await known(SAMPLES + i);
    await unknown(SAMPLES + i);
  }
  const knownTimes: number[] = [];
  const unknownTimes: number[] = [];
  const knownBodies = new Set<string>();
  const unknownBodies = new Set<string>();
  const sample = async (
    send: () => Promise<TestResponse<SessionBody>>,
    times: number[],
    bodies: Set<string>,
  ) => {
    let response: TestResponse<SessionBody> | undefined;
    times.push(await timed(async () => (response = await send())));
    bodies.add(`${response!.status} ${response!.text}`);
  };
  for (let i = 0; i < SAMPLES; i += 1) {
    const sampleKnown = () => sample(() => known(i), knownTimes, knownBodies);
    const sampleUnknown = () => sample(() => unknown(i), unknownTimes, unknownBodies);
    if (i % 2 === 0) {
      await sampleKnown();
      await sampleUnknown();
    } else {
      await sampleUnknown();
      await sampleKnown();
    }
  }
  return { known: median(knownTimes), unknown: median(unknownTimes), knownBodies, unknownBodies };
}

function report(t: TestContext, what: string, result: Comparison): void {
  const line = `${what}: median known ${result.known.toFixed(1)} ms, unknown ${result.unknown.toFixed(1)} ms (${SAMPLES} each)`;
  console.log(line);
  t.diagnostic(line);
}

/** Every response of both sides had the same status and byte-identical body, the expected one. */
function assertOneAnswer(result: Comparison, status: number, body: unknown): void {
  assert.equal(result.knownBodies.size, 1, `known: ${[...result.knownBodies].join(' | ')}`);
  assert.deepEqual([...result.unknownBodies], [...result.knownBodies]);
  const [answer] = result.knownBodies;
  assert.equal(answer.slice(0, answer.indexOf(' ')), String(status));
  assert.deepEqual(JSON.parse(answer.slice(answer.indexOf(' ') + 1)), body);
}

function assertClose(result: Comparison): void {
  const difference = Math.abs(result.known - result.unknown);
  const larger = Math.max(result.known, result.unknown);
  assert.ok(
    difference < RELATIVE_TOLERANCE * larger || difference < ABSOLUTE_TOLERANCE_MS,
    `medians differ by ${difference.toFixed(1)} ms (known ${result.known.toFixed(1)}, unknown ${result.unknown.toFixed(1)})`,
  );
}

describe('no account enumeration through timing', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    // High enough that the known account is never locked during the measurement.
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: '1000' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('login: unknown e-mail and known e-mail with a wrong password answer alike, in body and in time', async (t) => {
    const { email } = await registerAndConfirm(app, smtp);
    const wrong = freshPassword();
    const unknownEmail = freshEmail('nobody');
    const result = await compare(
      () => app.post<SessionBody>(Paths.login, { email, password: wrong }),
      () => app.post<SessionBody>(Paths.login, { email: unknownEmail, password: wrong }),
    );
    report(t, 'login', result);
    assertOneAnswer(result, 401, {
      statusCode: 401,
      error: 'Unauthorized',
      message: Messages.invalidCredentials,
    });
    assertClose(result);
  });

  it('forgot-password: known and unknown addresses answer alike, in body and in time', async (t) => {
    // A new address for every request: the per-address limit would otherwise make every request
    // after the first one skip the work a known address causes.
    const known = await Promise.all(
      Array.from({ length: WARM_UP + SAMPLES }, () => registerAndConfirm(app, smtp)),
    );
    const unknown = known.map(() => freshEmail('nobody'));
    const result = await compare(
      (i) => app.post<SessionBody>(Paths.forgotPassword, { email: known[i].email }),
      (i) => app.post<SessionBody>(Paths.forgotPassword, { email: unknown[i] }),
    );
    report(t, 'forgot-password', result);
    assertOneAnswer(result, 200, { message: Messages.resetLinkSent });
    assertClose(result);
  });
});
