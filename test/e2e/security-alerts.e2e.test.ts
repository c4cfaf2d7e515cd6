import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertCleanLogs,
  JWT_PATTERN,
  loggedEvents,
  login,
  Messages,
  Paths,
  payloadOf,
  refresh,
  registerAndConfirm,
  rotate,
  sessionEnv,
  type Account,
  type SessionBody,
  type TokenPairBody,
  UserAgents,
} from '../support/session-helpers.js';
import type { ReceivedMail, SmtpSink as Sink } from '../support/smtp-sink.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const REUSE_SUBJECT = 'We ended a session of your account';
const NEW_DEVICE_SUBJECT = /^New sign-in on /;

/** Long enough for an alert that was going to be sent (one query, one SMTP exchange) to arrive. */
const SETTLE_MS = 1000;

// One app at a time: apps in one process share Nest's logger and passport's strategy registry.
let smtp: SmtpSink;
before(async () => {
  smtp = await new SmtpSink().start();
});
after(async () => {
  await smtp.stop();
});

function reuseAlerts(sink: Sink, email: string): ReceivedMail[] {
  return sink.mailsTo(email).filter((mail) => mail.subject === REUSE_SUBJECT);
}

function newDeviceAlerts(sink: Sink, email: string): ReceivedMail[] {
  return sink.mailsTo(email).filter((mail) => NEW_DEVICE_SUBJECT.test(mail.subject));
}

/** Polls `done` until it holds; fails naming `what` after `timeoutMs`. */
async function until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Waits until `select` returns `count` mails, and returns them. */
async function waitForAlerts(select: () => ReceivedMail[], count: number): Promise<ReceivedMail[]> {
  await until(() => select().length >= count, `alert #${count}`);
  return select();
}

/** Waits until the app logged a line containing `text`. */
function waitForLog(app: TestApp, text: string): Promise<void> {
  return until(() => app.logger.text().includes(text), `log "${text}"`);
}

/** Asserts that no token of `pairs` and no JWT at all is in the mail. */
function assertNoToken(mail: ReceivedMail, ...pairs: TokenPairBody[]): void {
  const whole = `${mail.subject}\n${mail.text}\n${mail.html}`;
  for (const pair of pairs) {
    assert.ok(!whole.includes(pair.refresh), 'a refresh token is in the mail');
    assert.ok(!whole.includes(pair.access), 'an access token is in the mail');
  }
  assert.doesNotMatch(whole, JWT_PATTERN);
}

/** Presents a rotated refresh token again and checks the SPEC's answer. */
async function reuse(app: TestApp, token: string): Promise<void> {
  const response = await refresh(app, token);
  assert.equal(response.status, 401, response.text);
  assert.equal(response.body.message, Messages.invalidRefreshToken);
}

describe('refresh-token reuse alert (new-device alerts off, the default)', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it("mails the owner exactly one alert naming the session's device, with no token in it", async () => {
    const { email, password } = await registerAndConfirm(app, smtp, { fullName: 'Ada Lovelace' });
    const firefox = app.withHeaders({ 'user-agent': UserAgents.firefoxLinux });
    const first = await login(firefox, email, password);
    const second = await rotate(firefox, first.refresh);

    await reuse(app, first.refresh);
    // The family is dead now: its newest token is refused too, and that is no second reuse.
    await reuse(app, second.refresh);

    const [mail] = await waitForAlerts(() => reuseAlerts(smtp, email), 1);
    assert.match(mail.text, /Hello Ada Lovelace,/);
    assert.match(
      mail.text,
      /Session: Firefox on Linux, signed in from 127\.0\.0\.1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./,
    );
    assert.match(
      mail.text,
      /at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC because one of its refresh tokens was used twice/,
    );
    assert.match(mail.text, /presented again from 127\.0\.0\.1/);
    assert.match(mail.text, /change your password/);
    assert.match(mail.html, /Firefox on Linux/);
    assertNoToken(mail, first, second);

    await sleep(SETTLE_MS);
    assert.equal(reuseAlerts(smtp, email).length, 1, 'more than one reuse alert');
    const events = loggedEvents(app).filter((entry) => entry.event === 'refresh_reuse_detected');
    assert.equal(events.length, 1);
  });

  it('one alert when a rotated refresh token is presented several times at once', async () => {
    const { email, password } = await registerAndConfirm(app, smtp);
    const first = await login(app, email, password);
    await rotate(app, first.refresh);

    await Promise.all(Array.from({ length: 6 }, () => reuse(app, first.refresh)));

    await waitForAlerts(() => reuseAlerts(smtp, email), 1);
    await sleep(SETTLE_MS);
    assert.equal(reuseAlerts(smtp, email).length, 1, 'more than one reuse alert');
    const family = loggedEvents(app).filter(
      (entry) => entry.event === 'session_revoked' && entry.reason === 'reuse_detected',
    );
    const userId = payloadOf(first.access).sub;
    assert.equal(family.filter((entry) => entry.user_id === userId).length, 1);
  });

  it('sends no new-device alert while AUTH_NEW_DEVICE_ALERTS is off', async () => {
    const { email, password } = await registerAndConfirm(app, smtp);
    await login(app.withHeaders({ 'user-agent': UserAgents.firefoxLinux }), email, password);
    const chrome = await login(
      app.withHeaders({ 'user-agent': UserAgents.chromeWindows }),
      email,
      password,
    );
    // A reuse alert afterwards: once it is in, a new-device alert sent before it would be too.
    await rotate(app, chrome.refresh);
    await reuse(app, chrome.refresh);
    await waitForAlerts(() => reuseAlerts(smtp, email), 1);
    await sleep(SETTLE_MS);

    assert.deepEqual(newDeviceAlerts(smtp, email), []);
    assert.ok(!loggedEvents(app).some((entry) => entry.event === 'new_device_login'));
  });

  it('answers a reuse with the same 401 when the alert cannot be sent (SMTP refusing)', async () => {
    const { email, password } = await registerAndConfirm(app, smtp);
    const first = await login(app, email, password);
    await rotate(app, first.refresh);
    smtp.rejecting = true;
    try {
      await reuse(app, first.refresh);
      await waitForLog(app, 'Session-reuse alert not sent');
    } finally {
      smtp.rejecting = false;
    }
    assert.deepEqual(reuseAlerts(smtp, email), []);
  });
});

describe('new-device alerts (AUTH_NEW_DEVICE_ALERTS=true)', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { AUTH_NEW_DEVICE_ALERTS: 'true' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  const firefox = () => app.withHeaders({ 'user-agent': UserAgents.firefoxLinux });
  const chrome = () => app.withHeaders({ 'user-agent': UserAgents.chromeWindows });

  /**
   * Logs in from Chrome (new to `account`), waits for its alert, and asserts that it is the only
   * new-device alert the account got: every login before it sent none.
   */
  async function assertOnlyChromeAlerted(account: Account): Promise<void> {
    await login(chrome(), account.email, account.password);
    await waitForAlerts(() => newDeviceAlerts(smtp, account.email), 1);
    await sleep(SETTLE_MS);
    assert.deepEqual(
      newDeviceAlerts(smtp, account.email).map((mail) => mail.subject),
      ['New sign-in on Chrome on Windows'],
    );
  }

  it('mails the owner once for a device none of their sessions had, with label, address and time, and no token', async () => {
    const account = await registerAndConfirm(app, smtp, { fullName: 'Ada Lovelace' });
    const known = await login(firefox(), account.email, account.password);
    const fresh = await login(chrome(), account.email, account.password);

    const mails = await waitForAlerts(() => newDeviceAlerts(smtp, account.email), 1);
    await sleep(SETTLE_MS);
    assert.equal(newDeviceAlerts(smtp, account.email).length, 1);
    const [mail] = mails;
    assert.equal(mail.subject, 'New sign-in on Chrome on Windows');
    assert.match(
      mail.text,
      /new sign-in to your account on Chrome on Windows from 127\.0\.0\.1 at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./,
    );
    assertNoToken(mail, known, fresh);
    const logged = loggedEvents(app).filter(
      (entry) => entry.event === 'new_device_login' && entry.user_id === account.user.id,
    );
    assert.equal(logged.length, 1);
    assert.equal(logged[0].label, 'Chrome on Windows');
  });

  it('sends none for the first login after registration', async () => {
    const account = await registerAndConfirm(app, smtp);
    await login(firefox(), account.email, account.password);
    // Chrome is new next to that Firefox session.
    await assertOnlyChromeAlerted(account);
  });

  it('sends none for a device seen before, in a live or a past (logged out) session', async () => {
    const account = await registerAndConfirm(app, smtp);
    const first = await login(firefox(), account.email, account.password);
    await login(firefox(), account.email, account.password);
    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: first.refresh },
      { token: first.access },
    );
    assert.equal(logout.status, 200, logout.text);
    // Firefox again, with one of the two Firefox sessions over: still known.
    await login(firefox(), account.email, account.password);

    await assertOnlyChromeAlerted(account);
  });

  it('answers a login with the same 200 when the alert cannot be sent (SMTP refusing)', async () => {
    const account = await registerAndConfirm(app, smtp);
    await login(firefox(), account.email, account.password);
    smtp.rejecting = true;
    try {
      const response = await chrome().post<TokenPairBody>(Paths.login, {
        email: account.email,
        password: account.password,
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(typeof response.body.access, 'string');
      assert.equal(typeof response.body.refresh, 'string');
      await waitForLog(app, 'New-device alert not sent');
    } finally {
      smtp.rejecting = false;
    }
    assert.deepEqual(newDeviceAlerts(smtp, account.email), []);
  });
});
