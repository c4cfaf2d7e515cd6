import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { PasswordHasher } from '../../src/password/password-hasher.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  registerForCode,
  registrationBody,
  resendForCode,
  wrongCode,
} from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** Draws new codes until one differs from `old` (the same digits come back once in a million). */
async function newCodeAfter(old: string, resend: () => Promise<string>): Promise<string> {
  let code = await resend();
  while (code === old) code = await resend();
  return code;
}

describe('resend-otp and registering again (OTP_RESEND_COOLDOWN=0)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('answers 200 with the message and expires_in, and mails a new code', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);

    const response = await app.post(Paths.resendOtp, { email: body.email });

    assert.deepEqual(response.body, { message: Messages.otpSent, expires_in: 600 });
    await smtp.waitForMail(body.email, 2);
  });

  it('the new code replaces the old one: the old one gets "Invalid OTP.", the new one confirms', async () => {
    const body = registrationBody();
    const oldCode = await registerForCode(app, smtp, body);
    const newCode = await newCodeAfter(oldCode, () => resendForCode(app, smtp, body.email));

    const withOld = await app.post(Paths.confirmOtp, { email: body.email, otp: oldCode });
    const withNew = await app.post(Paths.confirmOtp, { email: body.email, otp: newCode });

    assertError(withOld, 400, Messages.invalidOtp);
    assert.equal(withOld.body.attempts_remaining, 4);
    assert.equal(withNew.status, 201, withNew.text);
  });

  it('the 6th send of a registration, the one at register included, answers 429', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);
    for (let send = 2; send <= 5; send++) await resendForCode(app, smtp, body.email);

    const sixthResend = await app.post(Paths.resendOtp, { email: body.email });
    const sixthRegister = await app.post(Paths.register, body);

    assertError(sixthResend, 429);
    assert.match(sixthResend.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assertError(sixthRegister, 429);
    assert.equal(smtp.mailsTo(body.email).length, 5, 'no sixth mail went out');
  });

  it('a resend does not reset the wrong-guess count', async () => {
    const body = registrationBody();
    const code = await registerForCode(app, smtp, body);
    for (const remaining of [4, 3]) {
      const wrong = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });
      assert.equal(wrong.body.attempts_remaining, remaining);
    }

    const newCode = await resendForCode(app, smtp, body.email);
    const afterResend = await app.post(Paths.confirmOtp, {
      email: body.email,
      otp: wrongCode(newCode),
    });

    assertError(afterResend, 400, Messages.invalidOtp);
    assert.equal(afterResend.body.attempts_remaining, 2);
  });

  it('resends never give more than OTP_MAX_ATTEMPTS wrong guesses in all', async () => {
    const body = registrationBody();
    let code = await registerForCode(app, smtp, body);
    for (let guess = 1; guess <= 4; guess++) {
      await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });
      if (guess < 4) code = await resendForCode(app, smtp, body.email);
    }
    code = await resendForCode(app, smtp, body.email);

    const fifth = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });

    assertError(fifth, 429, Messages.maxAttemptsExceeded);
    assertError(
      await app.post(Paths.confirmOtp, { email: body.email, otp: code }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('registering again while pending adds a registration with its own code and data beside the first, and carries over the wrong-guess count', async () => {
    const first = registrationBody({
      full_name: 'Ada Lovelace',
      password: 'amber meadow crossing',
    });
    const firstCode = await registerForCode(app, smtp, first);
    const wrong = await app.post(Paths.confirmOtp, {
      email: first.email,
      otp: wrongCode(firstCode),
    });
    assert.equal(wrong.body.attempts_remaining, 4);

    const second = { ...first, full_name: 'Grace Hopper', password: 'cobalt river lantern' };
    const secondCode = await registerForCode(app, smtp, second);
    let neither = wrongCode(firstCode);
    while (neither === secondCode) neither = wrongCode(neither);
    const withNeither = await app.post(Paths.confirmOtp, { email: first.email, otp: neither });
    const confirm = await app.post(Paths.confirmOtp, { email: first.email, otp: secondCode });

    assertError(withNeither, 400, Messages.invalidOtp);
    assert.equal(
      withNeither.body.attempts_remaining,
      3,
      'the count went on from the first registration',
    );
    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.full_name, 'Grace Hopper');
    const stored = await app.provider(UsersService).findByEmail(first.email);
    assert.ok(stored);
    const hasher = app.provider(PasswordHasher);
    assert.ok(await hasher.verify(stored.passwordHash, 'cobalt river lantern'));
    assert.ok(!(await hasher.verify(stored.passwordHash, 'amber meadow crossing')));
    assertError(
      await app.post(Paths.confirmOtp, { email: first.email, otp: firstCode }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('without a pending registration answers 400 "OTP expired or invalid." and sends nothing', async () => {
    const email = registrationBody().email;

    const response = await app.post(Paths.resendOtp, { email });

    assert.deepEqual(response.body, {
      statusCode: 400,
      error: 'Bad Request',
      message: Messages.otpExpiredOrInvalid,
    });
    assert.equal(smtp.mailsTo(email).length, 0);
  });

  it('after the account is created there is nothing to resend: 400', async () => {
    const body = registrationBody();
    const code = await registerForCode(app, smtp, body);
    assert.equal((await app.post(Paths.confirmOtp, { email: body.email, otp: code })).status, 201);

    assertError(
      await app.post(Paths.resendOtp, { email: body.email }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });
});

describe('the resend cooldown (OTP_RESEND_COOLDOWN=1s)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_RESEND_COOLDOWN: '1s' });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('a resend within the cooldown answers 429 with Retry-After in whole seconds', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);

    const response = await app.post(Paths.resendOtp, { email: body.email });

    assertError(response, 429);
    const retryAfter = response.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, `Retry-After: ${retryAfter}`);
    assert.equal(Number(retryAfter), 1);
    assert.equal(smtp.mailsTo(body.email).length, 1, 'no second mail went out');
  });

  it('registering again within the cooldown answers 429 with Retry-After too', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);

    const response = await app.post(Paths.register, { ...body, full_name: 'Impatient' });

    assertError(response, 429);
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  });

  it('the cooldown belongs to the normalised address, whatever the spelling', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);

    const response = await app.post(Paths.resendOtp, { email: ` ${body.email.toUpperCase()} ` });

    assertError(response, 429);
  });

  it('once the cooldown has run, the resend goes through and its code confirms', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);
    const refused = await app.post(Paths.resendOtp, { email: body.email });
    assertError(refused, 429);

    await sleep(Number(refused.headers.get('retry-after')) * 1000 + 100);
    const code = await resendForCode(app, smtp, body.email);

    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: code });
    assert.equal(confirm.status, 201, confirm.text);
  });
});
