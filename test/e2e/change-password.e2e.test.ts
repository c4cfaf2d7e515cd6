import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  freshPassword,
  loggedInAccount,
  login,
  meStatus,
  Messages,
  Paths,
  rememberSecret,
  rotate,
  sessionEnv,
  type TokenPairBody,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const MAX_FAILURES = 3;

describe('POST /api/users/change-password/', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: String(MAX_FAILURES) }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('answers a wrong current password with 400 "Current password is incorrect." and changes nothing', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const response = await app.post<SessionBody>(
      Paths.changePassword,
      { current_password: freshPassword(), new_password: freshPassword() },
      { token: tokens.access },
    );
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.message, Messages.currentPasswordIncorrect);
    assert.equal(await meStatus(app, tokens.access), 200);
    await login(app, email, password);
  });

  it("changes the password, returns a new pair, and revokes every earlier token, the caller's own included", async () => {
    const { email, password, tokens: caller } = await loggedInAccount(app, smtp);
    const otherDevice = await login(app, email, password);
    const mailsBefore = smtp.mailsTo(email).length;

    const newPassword = freshPassword();
    const response = await app.post<SessionBody>(
      Paths.changePassword,
      { current_password: password, new_password: newPassword },
      { token: caller.access },
    );
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const fresh = response.body as TokenPairBody;
    rememberSecret(fresh.access, fresh.refresh);
    assert.equal(typeof fresh.access, 'string');
    assert.equal(typeof fresh.refresh, 'string');

    for (const [what, pair] of Object.entries({ caller, otherDevice })) {
      await assertAccessRefused(app, pair.access, `${what} access token`);
      await assertRefreshRefused(app, pair.refresh, `${what} refresh token`);
    }
    assert.equal(await meStatus(app, fresh.access), 200, 'the new access token');
    await rotate(app, fresh.refresh);

    const old = await app.post<SessionBody>(Paths.login, { email, password });
    assert.equal(old.status, 401);
    await login(app, email, newPassword);
    assert.equal(
      (await smtp.waitForMail(email, mailsBefore + 1)).subject,
      'Your password was changed',
    );
  });

  it('answers policy violations with 400 and the reasons, and changes nothing', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp, {
      fullName: 'Marguerite Perey',
    });
    const cases: [string, string][] = [
      ['short', 'This password is too short. It must contain at least 8 characters.'],
      ['1234567890123', 'This password is entirely numeric.'],
      ['password123', 'This password is too common.'],
      ['perey-marguerite', 'This password is too similar to your email or full name.'],
    ];
    for (const [newPassword, reason] of cases) {
      const response = await app.post<SessionBody>(
        Paths.changePassword,
        { current_password: password, new_password: newPassword },
        { token: tokens.access },
      );
      assert.equal(response.status, 400, `${newPassword}: ${response.text}`);
      assert.ok(
        (response.body.message as string[]).includes(reason),
        `${newPassword}: ${response.text}`,
      );
    }
    assert.equal(await meStatus(app, tokens.access), 200);
    await login(app, email, password);
  });

  it(`stops guessing the current password after ${MAX_FAILURES} failures with 429`, async () => {
    const { password, tokens } = await loggedInAccount(app, smtp);
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt += 1) {
      const response = await app.post<SessionBody>(
        Paths.changePassword,
        { current_password: freshPassword(), new_password: freshPassword() },
        { token: tokens.access },
      );
      assert.equal(response.status, 400, `attempt ${attempt}: ${response.text}`);
    }
    const locked = await app.post<SessionBody>(
      Paths.changePassword,
      { current_password: password, new_password: freshPassword() },
      { token: tokens.access },
    );
    assert.equal(locked.status, 429, locked.text);
    assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);
  });

  it('answers 401 without a valid Bearer token', async () => {
    const { password, tokens } = await loggedInAccount(app, smtp);
    const body = { current_password: password, new_password: freshPassword() };
    assert.equal((await app.post<SessionBody>(Paths.changePassword, body)).status, 401);
    assert.equal(
      (await app.post<SessionBody>(Paths.changePassword, body, { token: tokens.refresh })).status,
      401,
    );
    assert.equal(await meStatus(app, tokens.access), 200);
  });
});
