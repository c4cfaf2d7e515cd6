import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceProcess } from '../support/service-process.js';
import { freshEmail, freshPassword, Paths, type SessionBody } from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import type { TestResponse } from '../support/test-app.js';
import { createTestStorage, TEST_PROFILE, type TestStorage } from '../support/test-storage.js';

/** argon2id slow enough (about a second) that a request is surely in flight when SIGTERM comes. */
const SLOW_ARGON2 = { ARGON2_TIME_COST: '50' };
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

  it('a registration in flight when SIGTERM arrives completes with 200; new requests are turned away; the process exits 0 promptly', async (t) => {
    service = await ServiceProcess.start(
      { ...storage.env, ...SLOW_ARGON2, MAIL_URL: smtp.url },
      storage.dir,
    );
    const running = service;
    const email = freshEmail('in-flight');

    // A registration hashes the password (slow here), then stores the pending registration and
    // sends the mail: it needs the state store and SMTP after the slow part.
    const sent = performance.now();
    const inFlight = running.post<SessionBody>(Paths.register, {
      email,
      password: freshPassword(),
      full_name: 'Grace Hopper',
    });
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

    const register = await inFlight;
    const answered = performance.now();
    const exit = await exited;

    t.diagnostic(
      `register answered ${register.status} ${Math.round(answered - sent)} ms after it was sent, ` +
        `${Math.round(answered - signalled)} ms after SIGTERM; a request after SIGTERM: ${late}; ` +
        `exit ${exit.code} ${Math.round(exit.at - answered)} ms after the register's answer`,
    );
    assert.ok(answered > signalled, 'the registration was answered before SIGTERM: not in flight');
    assert.equal(register.status, 200, register.text);
    assert.equal(register.body.message, 'OTP sent to your email.');
    await smtp.waitForMail(email);
    assert.ok(['503', 'ECONNREFUSED'].includes(late), `a request after SIGTERM got ${late}`);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
    assert.ok(exit.at - answered < EXIT_WITHIN_MS, `exited ${exit.at - answered} ms after`);
    assert.doesNotMatch(running.output, /ERROR|Unhandled error/, running.output);
  });
});
