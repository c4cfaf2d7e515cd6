import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  login,
  loggedInAccount,
  Messages,
  Paths,
  registerAndConfirm,
  rememberSecret,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const RESET_SUBJECT = 'Reset your password';

// One app at a time: apps in one process share Nest's logger and passport's strategy registry.
let smtp: SmtpSink;
before(async () => {
  smtp = await new SmtpSink().start();
});
after(async () => {
  await smtp.stop();
});

/** Reset mails sent to `email`. */
function resetMailsTo(email: string) {
  return smtp.mailsTo(email).filter((mail) => mail.subject === RESET_SUBJECT);
}

/**
 * Waits until the app has dealt with every forgot-password request sent so far: it asks for a
 * reset mail to a new account and waits for that one. Requests are handled in order, so an
 * e-mail that was to go out to an address before has gone out by then.
 */
async function settle(app: TestApp): Promise<void> {
  const { email } = await registerAndConfirm(app, smtp);
  assert.equal((await app.post<SessionBody>(Paths.forgotPassword, { email })).status, 200);
  await smtp.waitForMail(email, 2);
  await sleep(100);
}

describe('POST /api/users/forgot-password/', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { APP_URL: 'https://app.example.test' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('answers known, unknown and deactivated addresses with the same 200 body, mailing only the known one', async () => {
    const known = await registerAndConfirm(app, smtp);
    const deactivated = await loggedInAccount(app, smtp);
    assert.equal(
      (await app.request<SessionBody>('DELETE', Paths.me, { token: deactivated.tokens.access }))
        .status,
      204,
    );
    const unknown = freshEmail('nobody');

    const responses = {
      unknown: await app.post<SessionBody>(Paths.forgotPassword, { email: unknown }),
      deactivated: await app.post<SessionBody>(Paths.forgotPassword, { email: deactivated.email }),
      known: await app.post<SessionBody>(Paths.forgotPassword, { email: known.email }),
    };
    for (const [what, response] of Object.entries(responses)) {
      assert.equal(response.status, 200, `${what}: ${response.text}`);
      assert.deepEqual(response.body, { message: Messages.resetLinkSent }, what);
    }
    assert.equal(responses.unknown.text, responses.known.text);
    assert.equal(responses.deactivated.text, responses.known.text);

    const mail = await smtp.waitForMail(known.email, 2);
    assert.equal(mail.subject, RESET_SUBJECT);
    await settle(app);
    assert.equal(resetMailsTo(known.email).length, 1, 'exactly one mail to the known address');
    assert.equal(smtp.mailsTo(unknown).length, 0, 'no mail to an unknown address');
    assert.equal(resetMailsTo(deactivated.email).length, 0, 'no mail to a deactivated account');
  });

  it('answers a missing or malformed email with 400 naming the field', async () => {
    for (const body of [
      {},
      { email: '' },
      { email: 'not-an-address' },
      { email: 42 },
      { email: ['a@example.com'] },
      { email: null },
    ]) {
      const response = await app.post<SessionBody>(Paths.forgotPassword, body);
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
      const messages = ([] as string[]).concat(response.body.message as string | string[]);
      assert.ok(
        messages.some((message) => message.includes('email')),
        `${JSON.stringify(body)}: ${response.text}`,
      );
    }
  });

  it('sends no second mail to an address within 60 seconds, however it is spelled, and answers the same', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const first = await app.post<SessionBody>(Paths.forgotPassword, { email });
    await smtp.waitForMail(email, 2);
    const second = await app.post<SessionBody>(Paths.forgotPassword, { email });
    const respelled = await app.post<SessionBody>(Paths.forgotPassword, {
      email: ` ${email.toUpperCase()}`,
    });
    for (const response of [first, second, respelled]) {
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, { message: Messages.resetLinkSent });
    }
    await settle(app);
    assert.equal(resetMailsTo(email).length, 1);
  });

  it('answers 200 when the SMTP server refuses the mail, and logs the failure', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const logLinesBefore = app.logger.lines.length;
    smtp.rejecting = true;
    try {
      const response = await app.post<SessionBody>(Paths.forgotPassword, { email });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, { message: Messages.resetLinkSent });
      const deadline = Date.now() + 5000;
      const failureLogged = () =>
        app.logger.lines
          .slice(logLinesBefore)
          .some((line) => line.startsWith('error:') && /reset e-mail not sent/i.test(line));
      while (!failureLogged() && Date.now() < deadline) await sleep(50);
      assert.ok(
        failureLogged(),
        `no error logged:\n${app.logger.lines.slice(logLinesBefore).join('\n')}`,
      );
    } finally {
      smtp.rejecting = false;
    }
    assert.equal(resetMailsTo(email).length, 0);
  });
});

describe('POST /api/users/forgot-password/ with AUTH_EXPOSE_RESET_TOKEN=true', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { AUTH_EXPOSE_RESET_TOKEN: 'true' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('adds reset_token for a known address only, and that token resets the password', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const known = await app.post<SessionBody>(Paths.forgotPassword, { email });
    assert.equal(known.status, 200, known.text);
    assert.equal(known.headers.get('cache-control'), 'no-store', 'it carries a token');
    assert.equal(known.body.message, Messages.resetLinkSent);
    assert.equal(typeof known.body.reset_token, 'string');
    rememberSecret(known.body.reset_token);

    const unknown = await app.post<SessionBody>(Paths.forgotPassword, {
      email: freshEmail('nobody'),
    });
    assert.equal(unknown.status, 200);
    assert.deepEqual(unknown.body, { message: Messages.resetLinkSent });

    const newPassword = freshPassword();
    const reset = await app.post<SessionBody>(Paths.resetPassword, {
      token: known.body.reset_token,
      new_password: newPassword,
    });
    assert.equal(reset.status, 200, reset.text);
    await login(app, email, newPassword);
  });
});
