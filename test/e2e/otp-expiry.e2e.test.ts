import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
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

/**
 * The configured lifetime. The tests wait it out, so they run concurrently, each on its own
 * address.
 */
const TTL_MS = 2000;

describe('OTP lifetime (OTP_TTL=2s)', { concurrency: true }, () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url, OTP_TTL: '2s', OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('register and resend announce expires_in in seconds', async () => {
    const body = registrationBody();

    const registered = await app.post(Paths.register, body);
    const resent = await app.post(Paths.resendOtp, { email: body.email });

    assert.deepEqual(registered.body, {
      message: Messages.otpSent,
      expires_in: 2,
      registration_id: registered.body.registration_id,
    });
    assert.deepEqual(resent.body, { message: Messages.otpSent, expires_in: 2 });
  });

  it('after OTP_TTL the right code gets "OTP expired or invalid." and resend answers 400', async () => {
    const body = registrationBody();
    const code = await registerForCode(app, smtp, body);

    await sleep(TTL_MS + 300);

    assertError(
      await app.post(Paths.confirmOtp, { email: body.email, otp: code }),
      400,
      Messages.otpExpiredOrInvalid,
    );
    assertError(
      await app.post(Paths.resendOtp, { email: body.email }),
      400,
      Messages.otpExpiredOrInvalid,
    );
  });

  it('a resend restarts the lifetime', async () => {
    const body = registrationBody();
    await registerForCode(app, smtp, body);
    await sleep(TTL_MS * 0.6);
    const code = await resendForCode(app, smtp, body.email);

    await sleep(TTL_MS * 0.6);
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: code });

    assert.equal(
      confirm.status,
      201,
      `confirmed ${TTL_MS * 1.2} ms after register: ${confirm.text}`,
    );
  });

  it('a registration that expired leaves no wrong-guess count to the next one', async () => {
    const body = registrationBody();
    const code = await registerForCode(app, smtp, body);
    for (const remaining of [4, 3]) {
      const wrong = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(code) });
      assert.equal(wrong.body.attempts_remaining, remaining);
    }
    await sleep(TTL_MS + 300);

    const newCode = await registerForCode(app, smtp, body);
    const wrong = await app.post(Paths.confirmOtp, { email: body.email, otp: wrongCode(newCode) });

    assert.equal(wrong.body.attempts_remaining, 4);
  });
});
