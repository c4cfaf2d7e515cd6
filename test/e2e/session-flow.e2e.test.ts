import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  freshEmail,
  freshPassword,
  loggedEvents,
  login,
  Messages,
  Paths,
  rawRequest,
  registerAndConfirm,
  rememberSecret,
  resetTokenFrom,
  rotate,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const APP_URL = 'https://app.example.test';

describe('the Postman flow, end to end', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp, { APP_URL }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('register → confirm → login → me → refresh → logout → forgot → reset → login with the new password', async () => {
    const { email, password, user } = await registerAndConfirm(app, smtp, {
      fullName: 'Ada Lovelace',
    });

    const first = await login(app, email, password);
    const me = await app.get<SessionBody>(Paths.me, { token: first.access });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, user.id);
    assert.equal(me.body.email, email);

    const second = await rotate(app, first.refresh);
    assert.equal((await app.get<SessionBody>(Paths.me, { token: second.access })).status, 200);

    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: second.refresh },
      { token: second.access },
    );
    assert.equal(logout.status, 200);
    assert.deepEqual(logout.body, { message: Messages.loggedOut });
    await assertAccessRefused(app, second.access);

    // The Host (and X-Forwarded-Host) of the request must not end up in the link.
    const forgot = await rawRequest(app, 'POST', Paths.forgotPassword, {
      headers: {
        host: 'attacker.example',
        'x-forwarded-host': 'attacker.example',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ email }),
    });
    assert.equal(forgot.status, 200, forgot.text);
    assert.deepEqual(JSON.parse(forgot.text), { message: Messages.resetLinkSent });

    const mail = await smtp.waitForMail(email, 2);
    const token = resetTokenFrom(mail);
    assert.ok(
      mail.text.includes(`${APP_URL}/reset-password?token=${encodeURIComponent(token)}`),
      `no link built from APP_URL in: ${mail.text}`,
    );
    assert.ok(!mail.text.includes('attacker.example') && !mail.html.includes('attacker.example'));
    assert.ok(
      mail.html.includes(`href="${APP_URL}/reset-password?token`),
      'the HTML part links to APP_URL too',
    );

    const newPassword = freshPassword();
    const reset = await app.post<SessionBody>(Paths.resetPassword, {
      token,
      new_password: newPassword,
    });
    assert.equal(reset.status, 200, reset.text);
    assert.deepEqual(reset.body, { message: Messages.passwordReset });

    const old = await app.post<SessionBody>(Paths.login, { email, password });
    assert.equal(old.status, 401);
    assert.equal(old.body.message, Messages.invalidCredentials);
    const third = await login(app, email, newPassword);
    assert.equal((await app.get<SessionBody>(Paths.me, { token: third.access })).status, 200);
    await assertRefreshRefused(app, first.refresh, 'a refresh token from before the reset');
  });

  it('logs successful and failed logins as JSON lines with an event, and no password, token or hash', async () => {
    const { email, password, user } = await registerAndConfirm(app, smtp);
    const wrong = freshPassword();
    assert.equal(
      (await app.post<SessionBody>(Paths.login, { email, password: wrong })).status,
      401,
    );
    const unknown = freshEmail('nobody');
    assert.equal(
      (await app.post<SessionBody>(Paths.login, { email: unknown, password: wrong })).status,
      401,
    );
    const tokens = await login(app, email, password);
    rememberSecret(tokens.access, tokens.refresh);

    const events = loggedEvents(app);
    const failures = events.filter((event) => event.event === 'login_failed');
    assert.ok(
      failures.some((event) => event.email === email && event.reason === 'wrong_password'),
      JSON.stringify(failures),
    );
    assert.ok(
      failures.some((event) => event.email === unknown && event.reason === 'unknown_email'),
      JSON.stringify(failures),
    );
    assert.ok(
      events.some((event) => event.event === 'login_succeeded' && event.user_id === user.id),
      JSON.stringify(events),
    );
    assertCleanLogs(app);
  });
});
