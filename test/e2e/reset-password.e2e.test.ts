import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  freshPassword,
  loggedInAccount,
  login,
  Messages,
  nowSeconds,
  Paths,
  registerAndConfirm,
  requestResetToken,
  resign,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const CHANGED_SUBJECT = 'Your password was changed';

describe('POST /api/users/reset-password/', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  /** Resets with `token`; the response as it is. */
  function reset(token: unknown, newPassword: unknown = freshPassword()) {
    return app.post<SessionBody>(Paths.resetPassword, { token, new_password: newPassword });
  }

  it('replaces the password, revokes every earlier token of the user, and mails a notice', async () => {
    const { email, password, tokens: laptop } = await loggedInAccount(app, smtp);
    const phone = await login(app, email, password);
    const token = await requestResetToken(app, smtp, email);
    const mailsBefore = smtp.mailsTo(email).length;

    const newPassword = freshPassword();
    const response = await reset(token, newPassword);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(
      response.body,
      { message: Messages.passwordReset },
      'no tokens are handed out',
    );

    for (const [what, pair] of Object.entries({ laptop, phone })) {
      await assertAccessRefused(app, pair.access, `${what} access token`);
      await assertRefreshRefused(app, pair.refresh, `${what} refresh token`);
    }
    const notice = await smtp.waitForMail(email, mailsBefore + 1);
    assert.equal(notice.subject, CHANGED_SUBJECT);

    const old = await app.post<SessionBody>(Paths.login, { email, password });
    assert.equal(old.status, 401);
    assert.equal(old.body.message, Messages.invalidCredentials);
    await login(app, email, newPassword);
  });

  it('accepts a token once: a second use gets 400 "Invalid or expired reset token."', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    const newPassword = freshPassword();
    assert.equal((await reset(token, newPassword)).status, 200);
    const again = await reset(token);
    assert.equal(again.status, 400, again.text);
    assert.equal(again.body.message, Messages.invalidResetToken);
    await login(app, email, newPassword);
  });

  it('answers a missing or empty token with 400 "Reset token is required."', async () => {
    for (const body of [
      { new_password: freshPassword() },
      { token: '', new_password: freshPassword() },
    ]) {
      const response = await app.post<SessionBody>(Paths.resetPassword, body);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.message, Messages.resetTokenRequired);
    }
  });

  it('lets exactly one of two parallel resets with the same token through', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    const passwords = [freshPassword(), freshPassword()];
    const responses = await Promise.all(passwords.map((password) => reset(token, password)));
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [200, 400], responses.map((response) => response.text).join('\n'));
    const loser = responses.find((response) => response.status === 400)!;
    assert.equal(loser.body.message, Messages.invalidResetToken);

    const winner = passwords[responses.findIndex((response) => response.status === 200)];
    const other = passwords.find((password) => password !== winner)!;
    await login(app, email, winner);
    assert.equal(
      (await app.post<SessionBody>(Paths.login, { email, password: other })).status,
      401,
    );
  });

  it('refuses a reset token issued before a later change of the password', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    const change = await app.post<SessionBody>(
      Paths.changePassword,
      { current_password: password, new_password: freshPassword() },
      { token: tokens.access },
    );
    assert.equal(change.status, 200, change.text);

    const response = await reset(token);
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.message, Messages.invalidResetToken);
  });

  it('refuses a reset token issued before another reset', async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    // A second token issued at the same time (another request's, with its own id): the
    // per-address limit stops a second mail within a minute, so it is signed here instead.
    const sibling = resign(token, { jti: randomUUID() });
    assert.equal((await reset(token)).status, 200);

    const response = await reset(sibling);
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.message, Messages.invalidResetToken);
  });

  it('answers policy violations with 400 and the reasons, and leaves the token usable', async () => {
    const { email } = await registerAndConfirm(app, smtp, { fullName: 'Marguerite Perey' });
    const token = await requestResetToken(app, smtp, email);
    const cases: [string, string][] = [
      ['short', 'This password is too short. It must contain at least 8 characters.'],
      ['1234567890123', 'This password is entirely numeric.'],
      ['password123', 'This password is too common.'],
      ['x'.repeat(129), 'This password is too long. It must contain at most 128 characters.'],
      ['marguerite-rocks', 'This password is too similar to your email or full name.'],
    ];
    for (const [newPassword, reason] of cases) {
      const response = await reset(token, newPassword);
      assert.equal(response.status, 400, `${newPassword}: ${response.text}`);
      assert.ok(Array.isArray(response.body.message), response.text);
      assert.ok(response.body.message.includes(reason), `${newPassword}: ${response.text}`);
    }
    const newPassword = freshPassword();
    assert.equal((await reset(token, newPassword)).status, 200);
    await login(app, email, newPassword);
  });

  it('refuses an expired reset token', async () => {
    const { email, password } = await registerAndConfirm(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    const past = nowSeconds() - 60;
    const response = await reset(resign(token, { iat: past - 900, exp: past }));
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.message, Messages.invalidResetToken);
    await login(app, email, password);
  });
});
