import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { UsersService } from '../../src/users/users.service.js';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  registerForCode,
  registrationBody,
  wrongCode,
} from '../support/registration.js';
import { SmtpSink, otpFrom } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

const MAX_ATTEMPTS = 5;

describe('confirm-otp: wrong codes and the attempt limit (OTP_MAX_ATTEMPTS=5)', () => {
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

  it('a wrong code answers 400 "Invalid OTP." with attempts_remaining counting down', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);

    for (const remaining of [4, 3, 2, 1]) {
      const response = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });
      assert.deepEqual(response.body, {
        statusCode: 400,
        error: 'Bad Request',
        message: Messages.invalidOtp,
        attempts_remaining: remaining,
      });
    }
  });

  it('the right code still confirms after fewer wrong guesses than the limit', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);
    for (let guess = 1; guess < MAX_ATTEMPTS; guess++) {
      assertError(
        await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) }),
        400,
      );
    }

    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp });

    assert.equal(confirm.status, 201, confirm.text);
  });

  it('the 5th wrong guess answers 429 and ends the registration: the right code then gets "OTP expired or invalid."', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);
    for (let guess = 1; guess < MAX_ATTEMPTS; guess++) {
      await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });
    }

    const last = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });

    assertError(last, 429, Messages.maxAttemptsExceeded);
    assertError(
      await app.post(Paths.confirmOtp, { email: body.email, otp }),
      400,
      Messages.otpExpiredOrInvalid,
    );
    assertError(
      await app.post(Paths.resendOtp, { email: body.email }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('after the limit, registering again starts a fresh registration that can be confirmed', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);
    for (let guess = 1; guess <= MAX_ATTEMPTS; guess++) {
      await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });
    }

    const newOtp = await registerForCode(app, smtp, body);
    const wrong = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(newOtp) });
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: newOtp });

    assert.equal(wrong.body.attempts_remaining, 4, 'the ended registration left no count behind');
    assert.equal(confirm.status, 201, confirm.text);
  });

  it('without a pending registration confirm-otp and verify-otp answer 400 "OTP expired or invalid."', async () => {
    const email = registrationBody().email;

    for (const path of [Paths.confirmOtp, Paths.verifyOtp]) {
      const response = await app.post(path, { email, otp: '123456' });
      assert.deepEqual(response.body, {
        statusCode: 400,
        error: 'Bad Request',
        message: Messages.otpExpiredOrInvalid,
      });
    }
  });

  it('a code is bound to its address: the code of one registration does not confirm another', async () => {
    const first = registrationBody();
    const second = registrationBody();
    const firstOtp = await registerForCode(app, smtp, first);
    let secondOtp = await registerForCode(app, smtp, second);
    // One chance in a million that both codes are the same digits: draw the second again.
    while (secondOtp === firstOtp) secondOtp = await registerForCode(app, smtp, second);

    const crossed = await app.post(Paths.confirmOtp, { email: second.email, otp: firstOtp });

    assertError(crossed, 400, Messages.invalidOtp);
  });

  it('50 parallel wrong guesses: at most OTP_MAX_ATTEMPTS are evaluated, none fails with 5xx, the code is dead after', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) }),
      ),
    );

    const statuses = responses.map((response) => response.status);
    assert.ok(
      statuses.every((status) => status === 400 || status === 429),
      `statuses: ${statuses.join(',')}`,
    );
    const judged = responses.filter((response) => response.body.message === Messages.invalidOtp);
    assert.ok(judged.length <= MAX_ATTEMPTS - 1, `${judged.length} wrong guesses were judged`);
    const remaining = judged.map(
      (response: TestResponse) => response.body.attempts_remaining as number,
    );
    assert.equal(
      new Set(remaining).size,
      remaining.length,
      `one evaluation per attempt: ${remaining.join(',')}`,
    );
    assert.ok(
      responses.some((response) => response.body.message === Messages.maxAttemptsExceeded),
      'the guess that used up the attempts got 429',
    );
    assertError(
      await app.post(Paths.confirmOtp, { email: body.email, otp }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('the right code sent twice in parallel creates exactly one user; the other request gets 400 or 409', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);

    const responses = await Promise.all([
      app.post(Paths.confirmOtp, { email: body.email, otp }),
      app.post(Paths.verifyOtp, { email: body.email, otp }),
    ]);

    const statuses = responses.map((response) => response.status).sort();
    assert.equal(
      statuses.filter((status) => status === 201).length,
      1,
      `statuses: ${statuses.join(',')}`,
    );
    const loser = responses.find((response) => response.status !== 201)!;
    assert.ok([400, 409].includes(loser.status), `the loser got ${loser.status}: ${loser.text}`);
    const winner = responses.find((response) => response.status === 201)!;
    const stored = await app.provider(UsersService).findByEmail(body.email);
    assert.equal(
      stored?.id,
      winner.body.user?.id,
      'the account the 201 announced is the one stored',
    );
    assertError(
      await app.post(Paths.register, registrationBody({ email: body.email })),
      409,
      Messages.emailAlreadyRegistered,
    );
  });
});

describe('configured codes and attempts (OTP_LENGTH=8, OTP_MAX_ATTEMPTS=2)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_LENGTH: '8', OTP_MAX_ATTEMPTS: '2' });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('mails an 8-digit code that confirms', async () => {
    const body = registrationBody();
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const mail = await smtp.waitForMail(body.email);
    const otp = otpFrom(mail, 8);
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp });

    assert.equal(confirm.status, 201, confirm.text);
  });

  it('the 2nd wrong guess ends the registration', async () => {
    const body = registrationBody();
    assert.equal((await app.post(Paths.register, body)).status, 200);
    const otp = otpFrom(await smtp.waitForMail(body.email), 8);

    const first = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });
    const second = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(otp) });

    assert.equal(first.body.attempts_remaining, 1);
    assertError(second, 429, Messages.maxAttemptsExceeded);
    assertError(
      await app.post(Paths.confirmOtp, { email: body.email, otp }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });
});
