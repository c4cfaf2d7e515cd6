import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { closedPort, silentServer } from '../support/network.js';
import {
  Messages,
  Paths,
  registerForCode,
  registrationBody,
  type RegistrationBody,
} from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

/** "Within a few seconds": far below nodemailer's default timeouts of minutes. */
const PROMPT_MS = 5000;
/** The SMTP timeout (10 s), which also bounds a whole send, plus room for a loaded machine. */
const SMTP_DEADLINE_MS = 10_000;
const DEADLINE_SLACK_MS = 3000;
/** More registrations at once than the SMTP pool has connections (5), so some mails queue. */
const REGISTRATIONS_BEYOND_THE_POOL = 8;

async function timed(
  request: () => Promise<TestResponse>,
): Promise<{ response: TestResponse; ms: number }> {
  const started = performance.now();
  const response = await request();
  return { response, ms: performance.now() - started };
}

/** Checks that a failed send left nothing: no registration to confirm or resend. */
async function assertNothingPending(app: TestApp, email: string): Promise<void> {
  assertError(
    await app.post(Paths.confirmOtp, { email, otp: '123456' }),
    400,
    Messages.otpExpiredOrInvalid,
  );
  assertError(await app.post(Paths.resendOtp, { email }), 400, Messages.otpExpiredOrInvalid);
}

/** Registers once the mail server is back: 200 at once (no cooldown left), and the code confirms. */
async function assertCleanRetry(
  app: TestApp,
  smtp: SmtpSink,
  body: RegistrationBody,
): Promise<void> {
  const code = await registerForCode(app, smtp, body);
  const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: code });
  assert.equal(confirm.status, 201, confirm.text);
}

describe('register when the SMTP server refuses the mail (default 60 s cooldown)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url });
  });
  after(async () => {
    smtp.rejecting = false;
    await app.close();
    await smtp.stop();
  });

  it('answers 503 at once, leaves nothing behind, and an immediate retry succeeds once SMTP takes mail again', async () => {
    const body = registrationBody();
    smtp.rejecting = true;

    const { response, ms } = await timed(() => app.post(Paths.register, body));

    assertError(response, 503, Messages.sendFailed);
    assert.ok(ms < PROMPT_MS, `answered after ${Math.round(ms)} ms`);
    assert.match(
      app.logger.text(),
      /OTP e-mail not sent/,
      'the failure is logged for the operator',
    );
    await assertNothingPending(app, body.email);
    smtp.rejecting = false;
    await assertCleanRetry(app, smtp, body);
  });
});

describe('resend when the SMTP server refuses the mail', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    smtp.rejecting = false;
    await app.close();
    await smtp.stop();
  });

  it('answers 503 and removes the registration, so that registering again starts clean', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);
    smtp.rejecting = true;

    const resend = await app.post(Paths.resendOtp, { email: body.email });

    assertError(resend, 503, Messages.sendFailed);
    await assertNothingPending(app, body.email);
    smtp.rejecting = false;
    await assertCleanRetry(app, smtp, body);
  });
});

describe('register when the SMTP server is down (MAIL_URL on a closed port)', () => {
  let port: number;
  let app: TestApp;
  let smtp: SmtpSink | undefined;

  before(async () => {
    port = await closedPort();
    app = await TestApp.start({ MAIL_URL: `smtp://127.0.0.1:${port}` });
  });
  after(async () => {
    await app.close();
    await smtp?.stop();
  });

  it('answers 503 within seconds, and once the server is up an immediate retry succeeds', async () => {
    const body = registrationBody();

    const { response, ms } = await timed(() => app.post(Paths.register, body));

    assertError(response, 503, Messages.sendFailed);
    assert.ok(ms < PROMPT_MS, `answered after ${Math.round(ms)} ms`);
    await assertNothingPending(app, body.email);
    smtp = await new SmtpSink().start(port);
    await assertCleanRetry(app, smtp, body);
  });
});

describe('registrations while the SMTP server is frozen (accepts connections, never greets)', () => {
  let frozen: Awaited<ReturnType<typeof silentServer>>;
  let app: TestApp;

  before(async () => {
    frozen = await silentServer();
    app = await TestApp.start({ MAIL_URL: `smtp://127.0.0.1:${frozen.port}` });
  });
  after(async () => {
    await frozen.stop();
    await app.close();
  });

  it('answers every one 503 within the SMTP timeout, those queued behind busy connections too, and leaves nothing behind', async () => {
    const bodies = Array.from({ length: REGISTRATIONS_BEYOND_THE_POOL }, () => registrationBody());

    // Counted when the first answer comes: the pool's connections then time out together, and
    // nodemailer opens new ones for the mails still queued behind them, whose requests were
    // already answered or are about to be.
    let connectionsAtFirstAnswer: number | undefined;
    const answers = await Promise.all(
      bodies.map(async (body) => {
        const answer = await timed(() => app.post(Paths.register, body));
        connectionsAtFirstAnswer ??= frozen.connections();
        return answer;
      }),
    );

    for (const { response, ms } of answers) {
      assertError(response, 503, Messages.sendFailed);
      assert.ok(
        ms < SMTP_DEADLINE_MS + DEADLINE_SLACK_MS,
        `answered after ${Math.round(ms)} ms; all: ${answers.map((a) => Math.round(a.ms)).join(', ')}`,
      );
    }
    assert.ok(
      connectionsAtFirstAnswer! < bodies.length,
      `${connectionsAtFirstAnswer} connections when the first answer came: not pooled`,
    );
    for (const body of bodies) await assertNothingPending(app, body.email);
  });
});
