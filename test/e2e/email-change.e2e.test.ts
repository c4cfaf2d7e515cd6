import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertError, assertNamesField } from '../support/http-assertions.js';
import { MailboxlayerStub } from '../support/mailboxlayer-stub.js';
import { wrongCode } from '../support/registration.js';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  JWT_PATTERN,
  loggedEvents,
  loggedInAccount,
  login,
  meStatus,
  Messages,
  Paths,
  rawRequest,
  registerAndConfirm,
  requestResetToken,
  sessionEnv,
  UserAgents,
  type Account,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import { TestApp, type ApiBody, type TestResponse } from '../support/test-app.js';

const EmailPaths = { request: Paths.emailChange, confirm: Paths.emailChangeConfirm } as const;

const EmailMessages = {
  otpSent: 'OTP sent to your new email.',
  sameEmail: 'The new email address is the same as the current one.',
  maxAttemptsExceeded: 'Maximum OTP attempts exceeded. Please request a new code.',
  accountSendCap: 'Too many codes sent for this account. Please try again later.',
  otpExpiredOrInvalid: 'OTP expired or invalid.',
  invalidOtp: 'Invalid OTP.',
  invalidEmail: 'Invalid email address.',
  sendFailed: 'Could not send the verification email. Please try again.',
  resendCooldown: 'Please wait before requesting a new OTP.',
  validationUnavailable: 'Email validation service unavailable. Please try again later.',
  tooManyLoginFailures: 'Too many failed login attempts. Please try again later.',
} as const;

const CHANGED_SUBJECT = 'The e-mail address of your account was changed';
const ATTEMPT_SUBJECT = 'Someone tried to use your e-mail address for another account';
const OTP_MAX_ATTEMPTS = 5;
const LOGIN_MAX_FAILURES = 3;

/** Asks to move `account` to `newEmail` with its password. */
function requestChange(
  app: TestApp,
  account: Account & { tokens: TokenPairBody },
  newEmail: string,
  password = account.password,
): Promise<TestResponse> {
  return app.post(
    EmailPaths.request,
    { new_email: newEmail, password },
    {
      token: account.tokens.access,
    },
  );
}

/** Asks for the change, checks the 200 and returns the code mailed to the new address. */
async function codeFor(
  app: TestApp,
  smtp: SmtpSink,
  account: Account & { tokens: TokenPairBody },
  newEmail: string,
): Promise<string> {
  const address = newEmail.trim().toLowerCase();
  const before = smtp.mailsTo(address).length;
  const response = await requestChange(app, account, newEmail);
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(response.body, { message: EmailMessages.otpSent, expires_in: 600 });
  assert.equal(response.headers.get('cache-control'), 'no-store');
  return otpFrom(await smtp.waitForMail(address, before + 1));
}

function confirm(
  app: TestApp,
  token: string,
  otp: string,
  headers: Record<string, string> = {},
): Promise<TestResponse> {
  return app.post(EmailPaths.confirm, { otp }, { token, headers });
}

async function emailOf(app: TestApp, access: string): Promise<string | undefined> {
  return (await app.get<SessionBody>(Paths.me, { token: access })).body.email;
}

/** Waits until `select` returns `count` mails. */
async function mailsWhen(select: () => ReceivedMail[], count: number): Promise<ReceivedMail[]> {
  const deadline = Date.now() + 5000;
  while (select().length < count) {
    if (Date.now() > deadline) throw new Error(`no mail #${count}`);
    await sleep(50);
  }
  return select();
}

describe('e-mail change: POST me/email/ and me/email/confirm/', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(
      sessionEnv(smtp, {
        OTP_MAX_ATTEMPTS: String(OTP_MAX_ATTEMPTS),
        LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      }),
    );
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('moves the account: code at the new address, profile answered, alert at the old one, login with the new address only', async () => {
    const account = await loggedInAccount(app, smtp, { fullName: 'Ada Lovelace' });
    const oldEmail = account.email;
    const newEmail = freshEmail('moved');
    const code = await codeFor(app, smtp, account, `  ${newEmail.toUpperCase()} `);
    const alertsBefore = smtp.mailsTo(oldEmail).length;
    const from = loggedEvents(app).length;

    const response = await confirm(app, account.tokens.access, code, {
      'user-agent': UserAgents.firefoxLinux,
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const profile = response.body;
    assert.deepEqual(Object.keys(profile).sort(), [
      'date_joined',
      'email',
      'full_name',
      'id',
      'is_active',
    ]);
    assert.equal(profile.email, newEmail);
    assert.equal(profile.id, account.user.id);
    assert.equal(await emailOf(app, account.tokens.access), newEmail, 'GET me/ shows the new one');

    // Sessions stay signed in.
    assert.equal(await meStatus(app, account.tokens.access), 200);
    await login(app, newEmail, account.password);
    const old = await app.post(Paths.login, { email: oldEmail, password: account.password });
    assertError(old, 401, Messages.invalidCredentials);

    const [alert] = await mailsWhen(
      () => smtp.mailsTo(oldEmail).filter((mail) => mail.subject === CHANGED_SUBJECT),
      1,
    );
    assert.equal(smtp.mailsTo(oldEmail).length, alertsBefore + 1);
    const whole = `${alert.subject}\n${alert.text}\n${alert.html}`;
    assert.match(alert.text, /Hello Ada Lovelace,/);
    assert.match(alert.text, /Firefox on Linux/);
    assert.match(alert.text, /127\.0\.0\.1/);
    assert.match(alert.text, /\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    assert.ok(alert.text.includes(`m***@example.com`), alert.text);
    assert.ok(!whole.includes(newEmail), 'the new address in full is in the alert');
    assert.ok(!whole.includes(code), 'the code is in the alert');
    assert.doesNotMatch(whole, JWT_PATTERN);

    const line = loggedEvents(app)
      .slice(from)
      .filter((entry) => entry.event === 'email_changed');
    assert.deepEqual(line, [
      {
        event: 'email_changed',
        user_id: account.user.id,
        old_email: oldEmail,
        new_email: newEmail,
        ip: '127.0.0.1',
      },
    ]);

    // The old address is free: it can register again.
    const register = await app.post(Paths.register, {
      email: oldEmail,
      password: freshPassword(),
      full_name: 'Someone Else',
    });
    assert.equal(register.status, 200, register.text);
    // The change is over: its code does not work twice.
    assertError(
      await confirm(app, account.tokens.access, code),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
  });

  it('a reset token mailed to the old address before the change no longer works; one mailed to the new address does', async () => {
    const account = await loggedInAccount(app, smtp);
    const oldToken = await requestResetToken(app, smtp, account.email);
    const newEmail = freshEmail('moved');
    const code = await codeFor(app, smtp, account, newEmail);
    assert.equal((await confirm(app, account.tokens.access, code)).status, 200);

    const refused = await app.post(Paths.resetPassword, {
      token: oldToken,
      new_password: freshPassword(),
    });
    assertError(refused, 400, Messages.invalidResetToken);
    await login(app, newEmail, account.password);

    const newToken = await requestResetToken(app, smtp, newEmail);
    const newPassword = freshPassword();
    const reset = await app.post(Paths.resetPassword, {
      token: newToken,
      new_password: newPassword,
    });
    assert.equal(reset.status, 200, reset.text);
    await login(app, newEmail, newPassword);
  });

  it(`a wrong password: 400 "Current password is incorrect.", no code sent; after ${LOGIN_MAX_FAILURES} failures 429 even with the right one`, async () => {
    const account = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('moved');
    for (let attempt = 1; attempt <= LOGIN_MAX_FAILURES; attempt += 1) {
      const response = await requestChange(app, account, newEmail, freshPassword());
      assertError(response, 400, Messages.currentPasswordIncorrect);
    }
    const locked = await requestChange(app, account, newEmail);
    assertError(locked, 429, EmailMessages.tooManyLoginFailures);
    assert.match(locked.headers.get('retry-after') ?? '', /^\d+$/);
    await sleep(200);
    assert.equal(smtp.mailsTo(newEmail).length, 0, 'a code went out');
    assert.equal(await emailOf(app, account.tokens.access), account.email);
  });

  it('the address the account already has (in any case or spacing): 400', async () => {
    const account = await loggedInAccount(app, smtp);
    for (const same of [account.email, ` ${account.email.toUpperCase()}  `]) {
      assertError(await requestChange(app, account, same), 400, EmailMessages.sameEmail);
    }
  });

  it('an address with an account: 409 "Email already registered.", its owner gets no mail', async () => {
    const account = await loggedInAccount(app, smtp);
    const other = await registerAndConfirm(app, smtp);
    const mailsBefore = smtp.mailsTo(other.email).length;
    assertError(
      await requestChange(app, account, other.email),
      409,
      Messages.emailAlreadyRegistered,
    );
    await sleep(200);
    assert.equal(smtp.mailsTo(other.email).length, mailsBefore);
  });

  it('a disposable or malformed address: 400, nothing sent', async () => {
    const account = await loggedInAccount(app, smtp);
    const disposable = `${freshEmail('burner').split('@')[0]}@mailinator.com`;
    assertError(await requestChange(app, account, disposable), 400, EmailMessages.invalidEmail);
    for (const malformed of ['not-an-address', 'ada@', '@example.com', 'a b@example.com']) {
      const response = await requestChange(app, account, malformed);
      assertError(response, 400, ['new_email must be a valid email address']);
    }
    assertError(await confirm(app, account.tokens.access, '123456'), 400);
  });

  it('an account created meanwhile with the new address: confirm gets 409, the change is over, nothing moved', async () => {
    const account = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('contested');
    const code = await codeFor(app, smtp, account, newEmail);
    await registerAndConfirm(app, smtp, { email: newEmail });
    assertError(
      await confirm(app, account.tokens.access, code),
      409,
      Messages.emailAlreadyRegistered,
    );
    assert.equal(await emailOf(app, account.tokens.access), account.email);
    assertError(
      await confirm(app, account.tokens.access, code),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
  });

  it(`wrong codes: attempts_remaining counts down, asking again keeps the count, the ${OTP_MAX_ATTEMPTS}th ends the change with 429`, async () => {
    const account = await loggedInAccount(app, smtp);
    const first = freshEmail('first');
    const firstCode = await codeFor(app, smtp, account, first);
    for (const remaining of [4, 3]) {
      const response = await confirm(app, account.tokens.access, wrongCode(firstCode));
      assertError(response, 400, EmailMessages.invalidOtp);
      assert.equal(response.body.attempts_remaining, remaining);
    }
    const second = freshEmail('second');
    const secondCode = await codeFor(app, smtp, account, second);
    // The first code was replaced: it is a wrong guess now, and the count goes on.
    if (firstCode !== secondCode) {
      const replaced = await confirm(app, account.tokens.access, firstCode);
      assertError(replaced, 400, EmailMessages.invalidOtp);
      assert.equal(replaced.body.attempts_remaining, 2);
    } else {
      const wrong = await confirm(app, account.tokens.access, wrongCode(secondCode));
      assert.equal(wrong.body.attempts_remaining, 2);
    }
    const fourth = await confirm(app, account.tokens.access, wrongCode(secondCode));
    assert.equal(fourth.body.attempts_remaining, 1, fourth.text);
    const last = await confirm(app, account.tokens.access, wrongCode(secondCode));
    assertError(last, 429, EmailMessages.maxAttemptsExceeded);
    assertError(
      await confirm(app, account.tokens.access, secondCode),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
    assert.equal(await emailOf(app, account.tokens.access), account.email);
  });

  it(`30 parallel wrong guesses: at most ${OTP_MAX_ATTEMPTS} are judged, none is a 500`, async () => {
    const account = await loggedInAccount(app, smtp);
    const code = await codeFor(app, smtp, account, freshEmail('parallel'));
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => confirm(app, account.tokens.access, wrongCode(code))),
    );
    const statuses = responses.map((response) => response.status);
    assert.ok(
      statuses.every((status) => status === 400 || status === 429),
      statuses.join(),
    );
    // Judged: every "Invalid OTP." (one per attempt number), and the one guess that used up the
    // attempts; the rest were refused before their code was looked at.
    const judged = responses.filter(
      (response) => response.body.message === EmailMessages.invalidOtp,
    );
    assert.ok(judged.length <= OTP_MAX_ATTEMPTS - 1, `${judged.length} wrong guesses judged`);
    const remaining = judged.map((response) => response.body.attempts_remaining);
    assert.equal(new Set(remaining).size, remaining.length, `one per attempt: ${remaining.join()}`);
    assert.ok(
      responses.some((response) => response.body.message === EmailMessages.maxAttemptsExceeded),
      'the guess that used up the attempts got 429',
    );
    assertError(
      await confirm(app, account.tokens.access, code),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
  });

  it(`the right code sent ${OTP_MAX_ATTEMPTS} times at once switches once; the others get 400, none a 500`, async () => {
    const account = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('race');
    const code = await codeFor(app, smtp, account, newEmail);
    const alertsBefore = smtp.mailsTo(account.email).length;
    const responses = await Promise.all(
      Array.from({ length: OTP_MAX_ATTEMPTS }, () => confirm(app, account.tokens.access, code)),
    );
    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(
      statuses,
      [200, ...Array<number>(OTP_MAX_ATTEMPTS - 1).fill(400)],
      statuses.join(),
    );
    for (const response of responses.filter((r) => r.status === 400)) {
      assertError(response, 400, EmailMessages.otpExpiredOrInvalid);
    }
    assert.equal(await emailOf(app, account.tokens.access), newEmail);
    await mailsWhen(() => smtp.mailsTo(account.email), alertsBefore + 1);
    await sleep(300);
    assert.equal(smtp.mailsTo(account.email).length, alertsBefore + 1, 'one alert only');
  });

  it('another user cannot confirm a change with its code: without a pending change 400, with one of their own it is a wrong guess', async () => {
    const alice = await loggedInAccount(app, smtp);
    const bob = await loggedInAccount(app, smtp);
    const aliceNew = freshEmail('alice');
    const aliceCode = await codeFor(app, smtp, alice, aliceNew);

    assertError(
      await confirm(app, bob.tokens.access, aliceCode),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
    await codeFor(app, smtp, bob, freshEmail('bob'));
    const crossed = await confirm(app, bob.tokens.access, aliceCode);
    assertError(crossed, 400, EmailMessages.invalidOtp);
    assert.equal(await emailOf(app, bob.tokens.access), bob.email);

    const own = await confirm(app, alice.tokens.access, aliceCode);
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.email, aliceNew);
  });

  it('the caps count per account: moving on to another address each time does not reset them', async () => {
    const account = await loggedInAccount(app, smtp);
    for (let send = 1; send <= 5; send += 1) {
      await codeFor(app, smtp, account, freshEmail(`cycle${send}`));
    }
    const refused = await requestChange(app, account, freshEmail('cycle6'));
    assertError(refused, 429, EmailMessages.accountSendCap);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
  });

  it('PATCH me/ still never changes the address', async () => {
    const account = await loggedInAccount(app, smtp);
    const patched = await app.request<SessionBody>('PATCH', Paths.me, {
      body: { full_name: 'Ada King', email: freshEmail('hijack') },
      token: account.tokens.access,
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.email, account.email);
  });

  describe('bad input', () => {
    let account: Account & { tokens: TokenPairBody };
    before(async () => {
      account = await loggedInAccount(app, smtp);
    });

    const requestCases: [what: string, body: unknown, field: string][] = [
      ['no new_email', { password: 'x' }, 'new_email'],
      ['no password', { new_email: 'a@example.com' }, 'password'],
      ['new_email a number', { new_email: 42, password: 'x' }, 'new_email'],
      ['new_email an array', { new_email: ['a@example.com'], password: 'x' }, 'new_email'],
      ['new_email null', { new_email: null, password: 'x' }, 'new_email'],
      ['new_email empty', { new_email: '', password: 'x' }, 'new_email'],
      [
        'new_email too long',
        { new_email: `${'a'.repeat(250)}@example.com`, password: 'x' },
        'new_email',
      ],
      ['password a number', { new_email: 'a@example.com', password: 12345678 }, 'password'],
      ['password an object', { new_email: 'a@example.com', password: { a: 1 } }, 'password'],
      ['password empty', { new_email: 'a@example.com', password: '' }, 'password'],
      ['password too long', { new_email: 'a@example.com', password: 'p'.repeat(1025) }, 'password'],
    ];
    for (const [what, body, field] of requestCases) {
      it(`me/email/: ${what} → 400 naming ${field}`, async () => {
        const response = await app.post(EmailPaths.request, body, { token: account.tokens.access });
        assertError(response, 400);
        assertNamesField(response, field);
      });
    }

    const confirmCases: [what: string, body: unknown][] = [
      ['no otp', {}],
      ['otp a number', { otp: 123456 }],
      ['otp null', { otp: null }],
      ['otp empty', { otp: '' }],
      ['otp letters', { otp: 'abcdef' }],
      ['otp too short', { otp: '123' }],
      ['otp too long', { otp: '12345678901' }],
    ];
    for (const [what, body] of confirmCases) {
      it(`me/email/confirm/: ${what} → 400 naming otp`, async () => {
        const response = await app.post(EmailPaths.confirm, body, { token: account.tokens.access });
        assertError(response, 400);
        assertNamesField(response, 'otp');
      });
    }

    for (const path of Object.values(EmailPaths)) {
      it(`${path}: malformed JSON → 400 with the fixed message, 20 KiB → 413, not JSON → 415 or 400, nothing echoed`, async () => {
        const auth = { authorization: `Bearer ${account.tokens.access}` };
        const secret = freshPassword();
        const malformed = await app.request('POST', path, {
          body: `{"password": "${secret}", "new_email": `,
          headers: { ...auth, 'content-type': 'application/json' },
        });
        assertError(malformed, 400, Messages.malformedJson);
        assert.ok(!malformed.text.includes(secret));

        const large = await app.request('POST', path, {
          body: JSON.stringify({ password: 'p'.repeat(20 * 1024), otp: '123456' }),
          headers: { ...auth, 'content-type': 'application/json' },
        });
        assertError(large, 413);

        for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
          const response = await app.request('POST', path, {
            body: 'otp=123456',
            headers: { ...auth, 'content-type': contentType },
          });
          assert.ok([400, 415].includes(response.status), `${contentType}: ${response.text}`);
        }
        const bare = await rawRequest(app, 'POST', path, {
          headers: auth,
          body: '{"otp":"123456"}',
        });
        assert.ok([400, 415].includes(bare.status), `no Content-Type: ${bare.status} ${bare.text}`);
      });
    }

    for (const path of Object.values(EmailPaths)) {
      it(`${path}: 401 with WWW-Authenticate without a Bearer token or with a refresh token`, async () => {
        const body = { new_email: freshEmail('x'), password: account.password, otp: '123456' };
        for (const token of [undefined, account.tokens.refresh, 'not-a-token']) {
          const response = await app.post<ApiBody>(path, body, { token });
          assertError(response, 401);
          assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="otp-auth"/);
        }
        assert.equal(await meStatus(app, account.tokens.access), 200);
      });
    }
  });
});

describe('e-mail change with enumeration protection, a resend cooldown and Mailboxlayer', () => {
  let smtp: SmtpSink;
  let stub: MailboxlayerStub;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    stub = await new MailboxlayerStub().start();
    app = await TestApp.start(
      sessionEnv(smtp, {
        AUTH_ENUMERATION_PROTECTION: 'true',
        OTP_RESEND_COOLDOWN: '60',
        MAILBOXLAYER_API_KEY: 'email-change-test-key',
        MAILBOXLAYER_URL: stub.url,
        EMAIL_VALIDATION_FAIL_OPEN: 'false',
      }),
    );
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await stub.stop();
    await smtp.stop();
  });

  it('an address with an account: the same 200, its owner is told, and no code confirms', async () => {
    const account = await loggedInAccount(app, smtp);
    const other = await registerAndConfirm(app, smtp);
    const mailsBefore = smtp.mailsTo(other.email).length;
    const response = await requestChange(app, account, other.email);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { message: EmailMessages.otpSent, expires_in: 600 });
    const notice = await smtp.waitForMail(other.email, mailsBefore + 1);
    assert.equal(notice.subject, ATTEMPT_SUBJECT);
    assert.doesNotMatch(notice.text, /\b\d{6}\b/, 'the notice carries a code');

    for (const otp of ['000000', '123456']) {
      const guess = await confirm(app, account.tokens.access, otp);
      assertError(guess, 400, EmailMessages.invalidOtp);
    }
    assert.equal(await emailOf(app, account.tokens.access), account.email);
    await login(app, other.email, other.password);
  });

  it('asking again within the cooldown: 429 with Retry-After; the first code still works', async () => {
    const account = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('cool');
    const code = await codeFor(app, smtp, account, newEmail);
    const again = await requestChange(app, account, freshEmail('cool2'));
    assertError(again, 429, EmailMessages.resendCooldown);
    const retryAfter = Number(again.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const confirmed = await confirm(app, account.tokens.access, code);
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.email, newEmail);
  });

  it('an SMTP failure: 503, and neither a pending change nor a cooldown is left behind', async () => {
    const account = await loggedInAccount(app, smtp);
    const newEmail = freshEmail('smtp');
    smtp.rejecting = true;
    let failed: TestResponse;
    try {
      failed = await requestChange(app, account, newEmail);
    } finally {
      smtp.rejecting = false;
    }
    assertError(failed, 503, EmailMessages.sendFailed);
    assertError(
      await confirm(app, account.tokens.access, '123456'),
      400,
      EmailMessages.otpExpiredOrInvalid,
    );
    const code = await codeFor(app, smtp, account, newEmail);
    assert.equal((await confirm(app, account.tokens.access, code)).status, 200);
  });

  it('Mailboxlayer: an undeliverable address gets 400, an outage 503 with EMAIL_VALIDATION_FAIL_OPEN=false', async () => {
    const account = await loggedInAccount(app, smtp);
    const undeliverable = freshEmail('nomx');
    stub.modes.set(undeliverable, 'no-mx');
    assertError(await requestChange(app, account, undeliverable), 400, EmailMessages.invalidEmail);
    assert.equal(stub.requestsFor(undeliverable).length, 1, 'Mailboxlayer was not asked');
    const down = freshEmail('down');
    stub.modes.set(down, 'http-500');
    assertError(await requestChange(app, account, down), 503, EmailMessages.validationUnavailable);
    await sleep(200);
    assert.equal(smtp.mailsTo(undeliverable).length + smtp.mailsTo(down).length, 0);
  });
});
