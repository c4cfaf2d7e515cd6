import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { OtpService } from '../../src/otp/otp.service.js';
import { PasswordHasher } from '../../src/password/password-hasher.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  REGISTRATION_ID,
  registerAndConfirm,
  registrationBody,
} from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('register with AUTH_ENUMERATION_PROTECTION=true', () => {
  let smtp: SmtpSink;
  let app: TestApp;
  /** Every code the service drew, in order: the phantom registration's code is never mailed. */
  let issuedCodes: string[];

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({
      MAIL_URL: smtp.url,
      OTP_RESEND_COOLDOWN: '0',
      AUTH_ENUMERATION_PROTECTION: 'true',
    });
    // Records (not replaces) what the real generator draws.
    const otp = app.provider(OtpService);
    const generate = otp.generate.bind(otp);
    otp.generate = () => {
      const code = generate();
      issuedCodes.push(code);
      return code;
    };
  });
  beforeEach(() => {
    issuedCodes = [];
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('answers an existing address with the same 200 as a new one', async () => {
    const { body: owner } = await registerAndConfirm(app, smtp);

    const forNewAddress = await app.post(Paths.register, registrationBody());
    const forExistingAddress = await app.post(
      Paths.register,
      registrationBody({
        email: owner.email,
        full_name: 'Mallory',
        password: 'another fine password',
      }),
    );

    assert.equal(forNewAddress.status, 200, forNewAddress.text);
    assert.equal(forExistingAddress.status, forNewAddress.status);
    // The same body but for the registration_id, which is new for every registration alike.
    for (const response of [forNewAddress, forExistingAddress]) {
      assert.deepEqual(response.body, {
        message: Messages.otpSent,
        expires_in: 600,
        registration_id: response.body.registration_id,
      });
      assert.match(String(response.body.registration_id), REGISTRATION_ID);
    }
  });

  it('mails the owner that someone tried to register, without a code', async () => {
    const { body: owner } = await registerAndConfirm(app, smtp);

    await app.post(Paths.register, registrationBody({ email: owner.email, full_name: 'Mallory' }));

    const notice = await smtp.waitForMail(owner.email, 2);
    assert.match(notice.subject, /someone tried to register/i);
    assert.doesNotMatch(notice.text, /\d{6}/, 'no code in the notice');
    assert.doesNotMatch(notice.html, /\d{6}/, 'no code in the notice');
  });

  it('a resend for the attempt answers like any resend and sends the owner another notice, not a code', async () => {
    const { body: owner } = await registerAndConfirm(app, smtp);
    await app.post(Paths.register, registrationBody({ email: owner.email, full_name: 'Mallory' }));
    await smtp.waitForMail(owner.email, 2);

    const resend = await app.post(Paths.resendOtp, { email: owner.email });

    assert.deepEqual(resend.body, { message: Messages.otpSent, expires_in: 600 });
    const notice = await smtp.waitForMail(owner.email, 3);
    assert.match(notice.subject, /someone tried to register/i);
    assert.doesNotMatch(notice.text, /\d{6}/);
  });

  it('greets the owner by no name, and never with the text the caller sent', async () => {
    const { body: owner } = await registerAndConfirm(app, smtp, { full_name: 'Olive Owner' });
    const lure = 'Your account is locked, unlock it at http://evil.example';

    await app.post(Paths.register, registrationBody({ email: owner.email, full_name: lure }));

    const notice = await smtp.waitForMail(owner.email, 2);
    assert.match(notice.text, /^Hello,$/m);
    assert.ok(!notice.text.includes(lure), 'the caller wrote into a mail to someone else');
    assert.ok(
      !notice.html.includes('evil.example'),
      'the caller wrote into a mail to someone else',
    );
  });

  it('no code confirms the attempt, not even the one drawn for it, and the account is unchanged', async () => {
    const { body: owner, user } = await registerAndConfirm(app, smtp, { full_name: 'Olive Owner' });
    issuedCodes = [];

    const attempt = await app.post(
      Paths.register,
      registrationBody({
        email: owner.email,
        full_name: 'Mallory',
        password: 'another fine password',
      }),
    );
    assert.equal(attempt.status, 200);
    assert.equal(issuedCodes.length, 1, 'a code was drawn, as for a new address');

    for (const path of [Paths.confirmOtp, Paths.verifyOtp]) {
      const confirm = await app.post(path, { email: owner.email, otp: issuedCodes[0] });
      assertError(confirm, 400, Messages.invalidOtp);
    }
    const stored = await app.provider(UsersService).findByEmail(owner.email);
    assert.ok(stored);
    assert.equal(stored.id, user.id);
    assert.equal(stored.fullName, 'Olive Owner');
    assert.ok(await app.provider(PasswordHasher).verify(stored.passwordHash, owner.password));
    assert.ok(
      !(await app.provider(PasswordHasher).verify(stored.passwordHash, 'another fine password')),
    );
  });
});
