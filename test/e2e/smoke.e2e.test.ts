import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SmtpSink, otpFrom } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('registration smoke', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('registers, mails a code and creates the account on confirm', async () => {
    const register = await app.post('/api/users/register/', {
      email: ' Smoke@Example.COM ',
      password: 'violet lantern harbor',
      full_name: 'Smoke Test',
    });
    assert.equal(register.status, 200);
    assert.deepEqual(register.body, {
      message: 'OTP sent to your email.',
      expires_in: 600,
      registration_id: register.body.registration_id,
    });
    assert.equal(typeof register.body.registration_id, 'string');
    const mail = await smtp.waitForMail('smoke@example.com');
    const confirm = await app.post('/api/users/confirm-otp', {
      email: 'smoke@example.com',
      otp: otpFrom(mail),
    });
    assert.equal(confirm.status, 201);
    assert.equal(confirm.body.user?.email, 'smoke@example.com');
  });
});
