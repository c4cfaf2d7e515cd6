import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceProcess } from '../support/service-process.js';
import {
  Paths,
  registerAndConfirm,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import type { TestResponse } from '../support/test-app.js';
import { createTestStorage, TEST_PROFILE, type TestStorage } from '../support/test-storage.js';

/** argon2id slow enough (about a second) that a login is surely in flight when SIGTERM comes. */
const SLOW_ARGON2 = { ARGON2_TIME_COST: '100' };
/** After the last in-flight request, the process must be gone within this. */
const EXIT_WITHIN_MS = 5_000;

describe(`graceful shutdown on SIGTERM (${TEST_PROFILE} profile)`, () => {
  let smtp: SmtpSink;
  let storage: TestStorage;
  let service: ServiceProcess | undefined;

  before(async () => {
    smtp = await new SmtpSink().start();
    storage = await createTestStorage();
  });
  after(async () => {
    await service?.kill();
    await storage.remove();
    await smtp.stop();
  });

  it('a login in flight when SIGTERM arrives completes with 200; new requests are turned away; the process exits 0 promptly', async (t) => {
    service = await ServiceProcess.start(
      { ...storage.env, ...SLOW_ARGON2, MAIL_URL: smtp.url, OTP_RESEND_COOLDOWN: '0' },
      storage.dir,
    );
    const running = service;
    const { email, password } = await registerAndConfirm(running, smtp);

    const loginStarted = performance.now();
    const inFlight = running.post<TokenPairBody>(Paths.login, { email, password });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const signalled = performance.now();
    const exited = running.stop('SIGTERM', 20_000).then((exit) => ({
      ...exit,
      at: performance.now(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await running
      .get<SessionBody>('/health', { timeoutMs: 5_000 })
      .then((response: TestResponse<SessionBody>) => String(response.status))
      .catch((error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message);

    const login = await inFlight;
    const answered = performance.now();
    const exit = await exited;

    t.diagnostic(
      `login answered ${login.status} ${Math.round(answered - loginStarted)} ms after it was sent, ` +
        `${Math.round(answered - signalled)} ms after SIGTERM; a request after SIGTERM: ${late}; ` +
        `exit ${exit.code} ${Math.round(exit.at - answered)} ms after the login's answer`,
    );
    assert.ok(answered > signalled, 'the login was answered before SIGTERM: not in flight');
    assert.equal(login.status, 200, login.text);
    assert.equal(typeof login.body.access, 'string');
    assert.ok(['503', 'ECONNREFUSED'].includes(late), `a request after SIGTERM got ${late}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - answered < EXIT_WITHIN_MS, `exited ${exit.at - answered} ms after`);
    assert.doesNotMatch(running.output, /ERROR|Unhandled error/, running.output);
  });
});
