import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UsersService } from '../../src/users/users.service.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  freshEmail,
  freshPassword,
  loggedEvents,
  loggedInAccount,
  login,
  Messages,
  Paths,
  payloadOf,
  registerAndConfirm,
  rememberSecret,
  requestResetToken,
  rotate,
  sessionEnv,
  type TokenPairBody,
} from '../support/session-helpers.js';
import {
  releaseTogether,
  type HeldRequest,
  type ReleasedResponse,
} from './support/simultaneous.js';

/** How many requests each race releases at once. */
const RACERS = 20;

const REGISTRATION = {
  otpSent: 'OTP sent to your email.',
  maxAttemptsExceeded: 'Maximum OTP attempts exceeded. Please register again.',
  otpExpiredOrInvalid: 'OTP expired or invalid.',
  emailAlreadyRegistered: 'Email already registered.',
  sendLimit: 'Too many OTP requests for this registration. Please try again later.',
};

/** No 5xx, and every refusal in the standard error shape. */
function assertNoServerError(responses: ReleasedResponse[]): void {
  for (const response of responses) {
    assert.ok(response.status < 500, `a ${response.status}: ${response.text}`);
    if (response.status >= 400) {
      assert.equal(response.body?.statusCode, response.status, response.text);
      assert.equal(typeof response.body?.message, 'string', response.text);
    }
  }
}

function tally(responses: ReleasedResponse[]): string {
  const counts = new Map<number, number>();
  for (const { status } of responses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count}×${status}`).join(' ');
}

function winners(responses: ReleasedResponse[], status: number): ReleasedResponse[] {
  return responses.filter((response) => response.status === status);
}

let smtp: SmtpSink;
before(async () => {
  smtp = await new SmtpSink().start();
});
after(async () => {
  await smtp.stop();
});

describe(`${RACERS} requests released together (strict refresh rotation)`, () => {
  let app: TestApp;

  before(async () => {
    // Failed logins are part of the checks below; the lockout is not what this file is about.
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: '1000' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('confirm-otp and verify-otp with the right code: exactly one 201 and one user; the others 400, 409 or 429', async (t) => {
    const email = freshEmail('race-confirm');
    const password = freshPassword();
    const register = await app.post(Paths.register, {
      email,
      password,
      full_name: 'Race Condition',
    });
    assert.equal(register.status, 200, register.text);
    const otp = otpFrom(await smtp.waitForMail(email));

    const responses = await releaseTogether(
      app.baseUrl,
      Array.from({ length: RACERS }, (_, index) => ({
        method: 'POST',
        path: index % 2 ? Paths.confirmOtp : '/api/users/verify-otp/',
        body: { email, otp },
      })),
    );
    t.diagnostic(`confirm-otp ×${RACERS}: ${tally(responses)}`);

    assertNoServerError(responses);
    const created = winners(responses, 201);
    assert.equal(created.length, 1, tally(responses));
    for (const loser of responses.filter((response) => response.status !== 201)) {
      assert.ok([400, 409, 429].includes(loser.status), `${loser.status}: ${loser.text}`);
      assert.ok(
        [
          REGISTRATION.otpExpiredOrInvalid,
          REGISTRATION.emailAlreadyRegistered,
          REGISTRATION.maxAttemptsExceeded,
        ].includes(loser.body?.message as string),
        loser.text,
      );
    }
    const user = (created[0].body as { user: { id: string } }).user;
    const stored = await app.provider(UsersService).findByEmail(email);
    assert.equal(stored?.id, user.id, 'the account the 201 announced is the one stored');
    assert.equal(
      await app
        .provider(UsersService)
        .findById(user.id)
        .then((row) => row?.email),
      email,
    );
    await login(app, email, password);
  });

  it('reset-password with one token and 20 different passwords: exactly one 200, and only its password works', async (t) => {
    const account = await registerAndConfirm(app, smtp);
    const token = await requestResetToken(app, smtp, account.email);
    const passwords = Array.from({ length: RACERS }, () => freshPassword());
    const mailsBefore = smtp.mailsTo(account.email).length;
    const changedMailsBefore = smtp
      .mailsTo(account.email)
      .filter((mail) => /password was changed/i.test(mail.subject)).length;

    const responses = await releaseTogether(
      app.baseUrl,
      passwords.map((password) => ({
        method: 'POST',
        path: Paths.resetPassword,
        body: { token, new_password: password },
      })),
    );
    t.diagnostic(`reset-password ×${RACERS}: ${tally(responses)}`);

    assertNoServerError(responses);
    assert.equal(winners(responses, 200).length, 1, tally(responses));
    for (const loser of responses.filter((response) => response.status !== 200)) {
      assert.equal(loser.status, 400, loser.text);
      assert.equal(loser.body?.message, Messages.invalidResetToken);
    }
    const winner = passwords[responses.findIndex((response) => response.status === 200)];
    await login(app, account.email, winner);
    for (const loser of passwords.filter((password) => password !== winner).slice(0, 5)) {
      const response = await app.post(Paths.login, { email: account.email, password: loser });
      assert.equal(response.status, 401, `a losing password works: ${response.text}`);
    }
    assert.equal(
      (await app.post(Paths.login, { email: account.email, password: account.password })).status,
      401,
      'the old password still works',
    );
    // The notice goes out off the request path: wait for it, then a little for any second one.
    await smtp.waitForMail(account.email, mailsBefore + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const changedMails = smtp
      .mailsTo(account.email)
      .filter((mail) => /password was changed/i.test(mail.subject)).length;
    assert.equal(changedMails - changedMailsBefore, 1, 'one "password changed" mail');
  });

  it('token/refresh with one refresh token: exactly one 200 and nineteen 401s; the reuse ends the session (strict)', async (t) => {
    const { user, tokens } = await loggedInAccount(app, smtp);

    const responses = await releaseTogether(
      app.baseUrl,
      Array.from({ length: RACERS }, (_, index) => ({
        method: 'POST',
        path: Paths.refresh,
        // Both spellings of the field: the alias must not open a second way through.
        body: index % 2 ? { refresh: tokens.refresh } : { refresh_token: tokens.refresh },
      })),
    );
    t.diagnostic(`token/refresh ×${RACERS}: ${tally(responses)}`);

    assertNoServerError(responses);
    const rotated = winners(responses, 200);
    assert.equal(rotated.length, 1, tally(responses));
    assert.equal(winners(responses, 401).length, RACERS - 1, tally(responses));
    for (const loser of winners(responses, 401)) {
      assert.equal(loser.body?.message, Messages.invalidRefreshToken);
    }
    const pair = rotated[0].body as unknown as TokenPairBody;
    rememberSecret(pair.access, pair.refresh);
    assert.equal(payloadOf(pair.refresh).fam, payloadOf(tokens.refresh).fam);
    // SPEC: with REFRESH_REUSE_GRACE=0 a rotated token presented again is theft, and the whole
    // family dies — the winner's pair included.
    await assertRefreshRefused(app, tokens.refresh, 'the raced token');
    await assertRefreshRefused(app, pair.refresh, "the winner's refresh token");
    await assertAccessRefused(app, pair.access, "the winner's access token");
    assert.ok(
      loggedEvents(app).some(
        (event) => event.event === 'refresh_reuse_detected' && event.user_id === user.id,
      ),
      'the reuse is logged',
    );
  });

  it('logout with one access and refresh token: exactly one 200; the others 400 or 401; both tokens dead after', async (t) => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const other = await login(app, email, password);

    const responses = await releaseTogether(
      app.baseUrl,
      Array.from({ length: RACERS }, (): HeldRequest => ({
        method: 'POST',
        path: Paths.logout,
        token: tokens.access,
        body: { refresh_token: tokens.refresh },
      })),
    );
    t.diagnostic(`logout ×${RACERS}: ${tally(responses)}`);

    assertNoServerError(responses);
    assert.equal(winners(responses, 200).length, 1, tally(responses));
    assert.equal(winners(responses, 200)[0].body?.message, Messages.loggedOut);
    for (const loser of responses.filter((response) => response.status !== 200)) {
      // 401: the winner had already revoked the access token when this one was checked.
      assert.ok([400, 401].includes(loser.status), `${loser.status}: ${loser.text}`);
      if (loser.status === 400) assert.equal(loser.body?.message, Messages.invalidLogoutToken);
    }
    await assertAccessRefused(app, tokens.access, 'the logged-out access token');
    await assertRefreshRefused(app, tokens.refresh, 'the logged-out refresh token');
    // Another session of the same user is not touched.
    await rotate(app, other.refresh);
  });

  it('resend-otp: of 20 resends at once, only as many as the send cap allows go out', async (t) => {
    const email = freshEmail('race-resend');
    const register = await app.post(Paths.register, {
      email,
      password: freshPassword(),
      full_name: 'Race Resend',
    });
    assert.equal(register.status, 200, register.text);
    await smtp.waitForMail(email);

    const responses = await releaseTogether(
      app.baseUrl,
      Array.from({ length: RACERS }, () => ({
        method: 'POST',
        path: '/api/users/resend-otp/',
        body: { email },
      })),
    );
    t.diagnostic(`resend-otp ×${RACERS}: ${tally(responses)}`);

    assertNoServerError(responses);
    // SPEC: at most 5 sends per pending registration, the one at register included.
    assert.equal(winners(responses, 200).length, 4, tally(responses));
    for (const loser of responses.filter((response) => response.status !== 200)) {
      assert.equal(loser.status, 429, loser.text);
      assert.equal(loser.body?.message, REGISTRATION.sendLimit);
    }
    await smtp.waitForMail(email, 5);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(smtp.mailsTo(email).length, 5, 'mails sent for the registration');
  });
});

describe(`${RACERS} refreshes released together with REFRESH_REUSE_GRACE=5 (tabs)`, () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { REFRESH_REUSE_GRACE: '5' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('every one of them gets a working pair of the same session', async (t) => {
    const { user, tokens } = await loggedInAccount(app, smtp);

    const responses = await releaseTogether(
      app.baseUrl,
      Array.from({ length: RACERS }, () => ({
        method: 'POST',
        path: Paths.refresh,
        body: { refresh: tokens.refresh },
      })),
    );
    t.diagnostic(`token/refresh ×${RACERS} with grace: ${tally(responses)}`);

    assertNoServerError(responses);
    assert.equal(winners(responses, 200).length, RACERS, tally(responses));
    const pairs = responses.map((response) => response.body as unknown as TokenPairBody);
    for (const pair of pairs) rememberSecret(pair.access, pair.refresh);
    assert.equal(new Set(pairs.map((pair) => pair.refresh)).size, RACERS, 'distinct pairs');
    for (const pair of pairs) {
      assert.equal(payloadOf(pair.refresh).fam, payloadOf(tokens.refresh).fam, 'same session');
      const me = await app.get(Paths.me, { token: pair.access });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.id, user.id);
    }
  });
});
