import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { captureConsole } from '../support/console-capture.js';
import { assertNotIn } from '../support/http-assertions.js';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  loggedEvents,
  loggedInAccount,
  Paths,
  rememberSecret,
  requestResetToken,
  resign,
  sessionEnv,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** Anything shaped like a JWT. */
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/;

/** The lines logged for `event` since `from` (an index into the events logged so far). */
function eventsSince(app: TestApp, from: number, event: string): Record<string, unknown>[] {
  return loggedEvents(app)
    .slice(from)
    .filter((entry) => entry.event === event);
}

/** Asserts that exactly one `event` line was logged since `from`, and returns it. */
function oneEvent(app: TestApp, from: number, event: string): Record<string, unknown> {
  const lines = eventsSince(app, from, event);
  assert.equal(lines.length, 1, `${event} lines: ${JSON.stringify(lines)}`);
  return lines[0];
}

describe('security log lines for sessions, passwords and deactivation', () => {
  let smtp: SmtpSink;
  let app: TestApp;
  /** Everything written to the console while the flows ran. */
  let consoleOutput = '';

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    assert.doesNotMatch(consoleOutput, JWT, 'a token reached the console');
    await app.close();
    await smtp.stop();
  });

  /** Runs `flow` recording the console, and returns its events since it started. */
  async function logged(flow: () => Promise<void>): Promise<number> {
    const from = loggedEvents(app).length;
    const { output } = await captureConsole(flow);
    consoleOutput += output;
    return from;
  }

  it('logout: {event, user_id, family}', async () => {
    const { user, tokens } = await loggedInAccount(app, smtp);
    const from = await logged(async () => {
      const response = await app.post(
        Paths.logout,
        { refresh_token: tokens.refresh },
        { token: tokens.access },
      );
      assert.equal(response.status, 200, response.text);
    });
    const line = oneEvent(app, from, 'logout');
    assert.deepEqual(Object.keys(line).sort(), ['event', 'family', 'user_id']);
    assert.equal(line.user_id, user.id);
    assert.match(String(line.family), /^[0-9a-f-]{36}$/);
  });

  it('logout-all: {event, user_id}', async () => {
    const { user, tokens } = await loggedInAccount(app, smtp);
    const from = await logged(async () => {
      const response = await app.post(Paths.logoutAll, undefined, { token: tokens.access });
      assert.equal(response.status, 200, response.text);
    });
    assert.deepEqual(oneEvent(app, from, 'logout_all'), { event: 'logout_all', user_id: user.id });
  });

  it('change-password: password_changed, and password_change_refused for a wrong current password', async () => {
    const { user, password, tokens } = await loggedInAccount(app, smtp);
    const newPassword = freshPassword();
    const from = await logged(async () => {
      const wrong = await app.post(
        Paths.changePassword,
        { current_password: freshPassword(), new_password: newPassword },
        { token: tokens.access },
      );
      assert.equal(wrong.status, 400, wrong.text);
      const changed = await app.post<TokenPairBody>(
        Paths.changePassword,
        { current_password: password, new_password: newPassword },
        { token: tokens.access },
      );
      assert.equal(changed.status, 200, changed.text);
      rememberSecret(changed.body.access, changed.body.refresh);
    });
    assert.deepEqual(oneEvent(app, from, 'password_change_refused'), {
      event: 'password_change_refused',
      user_id: user.id,
      reason: 'wrong_current_password',
    });
    assert.deepEqual(oneEvent(app, from, 'password_changed'), {
      event: 'password_changed',
      user_id: user.id,
    });
  });

  it('e-mail change: email_change_refused, email_change_requested, email_change_guess_failed and email_changed, never the code', async () => {
    const { email, user, password, tokens } = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('moved');
    let code = '';
    const from = await logged(async () => {
      const wrong = await app.post(
        Paths.emailChange,
        { new_email: newEmail, password: freshPassword() },
        { token: tokens.access },
      );
      assert.equal(wrong.status, 400, wrong.text);
      const requested = await app.post(
        Paths.emailChange,
        { new_email: newEmail, password },
        { token: tokens.access },
      );
      assert.equal(requested.status, 200, requested.text);
      code = otpFrom(await smtp.waitForMail(newEmail));
      const guess = code === '000000' ? '111111' : '000000';
      const failed = await app.post(
        Paths.emailChangeConfirm,
        { otp: guess },
        { token: tokens.access },
      );
      assert.equal(failed.status, 400, failed.text);
      const confirmed = await app.post(
        Paths.emailChangeConfirm,
        { otp: code },
        { token: tokens.access },
      );
      assert.equal(confirmed.status, 200, confirmed.text);
    });
    assert.deepEqual(oneEvent(app, from, 'email_change_refused'), {
      event: 'email_change_refused',
      user_id: user.id,
      reason: 'wrong_password',
    });
    assert.deepEqual(oneEvent(app, from, 'email_change_requested'), {
      event: 'email_change_requested',
      user_id: user.id,
      new_email: newEmail,
    });
    assert.deepEqual(oneEvent(app, from, 'email_change_guess_failed'), {
      event: 'email_change_guess_failed',
      user_id: user.id,
      attempts_remaining: 4,
    });
    assert.deepEqual(oneEvent(app, from, 'email_changed'), {
      event: 'email_changed',
      user_id: user.id,
      old_email: email,
      new_email: newEmail,
      ip: '127.0.0.1',
    });
    const lines = JSON.stringify(loggedEvents(app).slice(from));
    assert.doesNotMatch(lines, new RegExp(`\\b${code}\\b`), 'the code is in a log line');
  });

  it("reset-password: password_reset, and password_reset_refused with its reason for a forged, a spent and a deactivated account's token", async () => {
    const { email, user } = await loggedInAccount(app, smtp);
    const token = await requestResetToken(app, smtp, email);
    const gone = await loggedInAccount(app, smtp);
    const goneToken = await requestResetToken(app, smtp, gone.email);
    const deleted = await app.request('DELETE', Paths.me, { token: gone.tokens.access });
    assert.equal(deleted.status, 204, deleted.text);
    const forged = resign(token, {}, { secret: 'not-the-secret-of-this-service-0123456789' });

    const from = await logged(async () => {
      for (const [reset, status] of [
        [forged, 400],
        [token, 200],
        [token, 400],
        [goneToken, 400],
      ] as const) {
        const response = await app.post<SessionBody>(Paths.resetPassword, {
          token: reset,
          new_password: freshPassword(),
        });
        assert.equal(response.status, status, response.text);
      }
    });
    assert.deepEqual(oneEvent(app, from, 'password_reset'), {
      event: 'password_reset',
      user_id: user.id,
    });
    assert.deepEqual(eventsSince(app, from, 'password_reset_refused'), [
      { event: 'password_reset_refused', reason: 'invalid_token' },
      { event: 'password_reset_refused', reason: 'token_spent', user_id: user.id },
      { event: 'password_reset_refused', reason: 'no_active_account', user_id: gone.user.id },
    ]);
  });

  it('DELETE me: account_deactivated', async () => {
    const { user, tokens } = await loggedInAccount(app, smtp);
    const from = await logged(async () => {
      const response = await app.request('DELETE', Paths.me, { token: tokens.access });
      assert.equal(response.status, 204, response.text);
    });
    assert.deepEqual(oneEvent(app, from, 'account_deactivated'), {
      event: 'account_deactivated',
      user_id: user.id,
    });
  });

  it('a 429 of the per-account login limit: rate_limited {limit: login_failures, method, path, ip}, the query string left out', async () => {
    const { email, password } = await loggedInAccount(app, smtp);
    const from = await logged(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const failed = await app.post(Paths.login, { email, password: freshPassword() });
        assert.equal(failed.status, 401, failed.text);
      }
      const locked = await app.post(`${Paths.login}?next=${encodeURIComponent(password)}`, {
        email,
        password,
      });
      assert.equal(locked.status, 429, locked.text);
    });
    assert.deepEqual(oneEvent(app, from, 'rate_limited'), {
      event: 'rate_limited',
      limit: 'login_failures',
      method: 'POST',
      path: Paths.login,
      ip: '127.0.0.1',
    });
    assertNotIn(app.logger.text(), [password], 'the log');
  });
});

describe('security log lines for the per-IP limit', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ RATE_LIMIT_PER_IP: '2' });
  });
  after(async () => {
    await app.close();
  });

  it('every 429 of the per-IP limit: rate_limited {limit: per_ip, method, path, ip}', async () => {
    const body = { email: freshEmail(), password: 'whatever it is' };
    const { output } = await captureConsole(async () => {
      for (let request = 0; request < 2; request++) {
        assert.notEqual((await app.post(Paths.login, body)).status, 429);
      }
      for (const path of [Paths.login, Paths.forgotPassword, Paths.login]) {
        assert.equal((await app.post(path, body)).status, 429);
      }
    });

    assert.deepEqual(
      loggedEvents(app).filter((entry) => entry.event === 'rate_limited'),
      [Paths.login, Paths.forgotPassword, Paths.login].map((path) => ({
        event: 'rate_limited',
        limit: 'per_ip',
        method: 'POST',
        path,
        ip: '127.0.0.1',
      })),
    );
    assert.doesNotMatch(output, /whatever it is/, 'a password reached the console');
  });
});
