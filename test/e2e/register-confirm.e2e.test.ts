import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PasswordHasher } from '../../src/password/password-hasher.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { assertError } from '../support/http-assertions.js';
import {
  Messages,
  Paths,
  REGISTRATION_ID,
  expectCodeMailed,
  freshEmail,
  registerAndConfirm,
  registerForCode,
  registrationBody,
} from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('register and confirm-otp: the happy path over real SMTP', () => {
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

  it('register answers 200 with the message and expires_in, and mails the code as one run of digits', async () => {
    const body = registrationBody();

    const response = await app.post(Paths.register, body);

    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, {
      message: Messages.otpSent,
      expires_in: 600,
      registration_id: response.body.registration_id,
    });
    assert.match(String(response.body.registration_id), REGISTRATION_ID);
    const mail = await smtp.waitForMail(body.email);
    assert.match(mail.text, /(?<!\d)\d{6}(?!\d)/, 'the code is one run of six digits in the text');
    const code = /(?<!\d)(\d{6})(?!\d)/.exec(mail.text)![1];
    assert.ok(mail.html.includes(code), 'the HTML body shows the same code in one piece');
    assert.deepEqual(mail.envelopeTo, [body.email]);
  });

  it('the OTP mail carries no text of the caller: a full_name with line breaks and a URL appears in neither body nor the subject', async () => {
    const lure = 'Ada\nYour account is locked.\r\nUnlock it at http://evil.example/unlock now';
    const body = registrationBody({ full_name: lure });

    const code = await registerForCode(app, smtp, body);

    const mail = smtp.mailsTo(body.email)[0];
    for (const [part, text] of [
      ['text', mail.text],
      ['html', mail.html],
      ['subject', mail.subject],
    ] as const) {
      assert.ok(!text.includes('evil.example'), `the ${part} carries the caller's URL: ${text}`);
      assert.ok(!text.includes('account is locked'), `the ${part} carries the caller's text`);
      assert.ok(!text.includes('Ada'), `the ${part} greets with the caller's name`);
    }
    assert.ok(mail.text.includes(code));
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: code });
    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.full_name, lure.trim(), 'the name is kept for the account');
  });

  it('confirm-otp with the mailed code answers 201 with the new user', async () => {
    const body = registrationBody({ full_name: 'Grace Hopper' });
    const otp = await registerForCode(app, smtp, body);

    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp });

    assert.equal(confirm.status, 201, confirm.text);
    assert.deepEqual(Object.keys(confirm.body as object).sort(), ['message', 'user']);
    assert.equal(confirm.body.message, Messages.userRegistered);
    assert.deepEqual(Object.keys(confirm.body.user as object).sort(), ['email', 'full_name', 'id']);
    assert.match(confirm.body.user?.id ?? '', UUID);
    assert.equal(confirm.body.user?.email, body.email);
    assert.equal(confirm.body.user?.full_name, 'Grace Hopper');
    const stored = await app.provider(UsersService).findByEmail(body.email);
    assert.ok(stored, 'the account is stored');
    assert.equal(stored.id, confirm.body.user?.id);
    assert.equal(stored.isActive, true);
    assert.ok(await app.provider(PasswordHasher).verify(stored.passwordHash, body.password));
  });

  it('the code confirms only once: the account exists afterwards (409 on register)', async () => {
    const { body } = await registerAndConfirm(app, smtp);

    const again = await app.post(
      Paths.register,
      registrationBody({ email: body.email, full_name: 'Someone Else' }),
    );

    assertError(again, 409, Messages.emailAlreadyRegistered);
    assert.equal(again.body.error, 'Conflict');
    const confirmAgain = await app.post(Paths.confirmOtp, { email: body.email, otp: '123456' });
    assertError(confirmAgain, 400, Messages.otpExpiredOrInvalid);
  });

  it('an existing account gets 409 "Email already registered." and no mail is sent', async () => {
    const { body } = await registerAndConfirm(app, smtp);
    const mailsBefore = smtp.mailsTo(body.email).length;

    const response = await app.post(Paths.register, registrationBody({ email: body.email }));

    assert.deepEqual(response.body, {
      statusCode: 409,
      error: 'Conflict',
      message: Messages.emailAlreadyRegistered,
    });
    assert.equal(smtp.mailsTo(body.email).length, mailsBefore);
  });

  it('trims and lower-cases the e-mail: " User@Example.COM " is the same account as "user@example.com"', async () => {
    const canonical = freshEmail('mixed.case');
    const [local, domain] = canonical.split('@');
    const shouted = ` ${local.toUpperCase()}@${domain.toUpperCase()} `;

    const otp = await expectCodeMailed(smtp, canonical, () =>
      app.post(Paths.register, registrationBody({ email: shouted })),
    );
    assert.equal(
      smtp.mailsTo(canonical)[0].to,
      canonical,
      'the mail goes to the normalised address',
    );
    const confirm = await app.post(Paths.confirmOtp, {
      email: `${local}@${domain.toUpperCase()}`,
      otp,
    });

    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user?.email, canonical);
    assertError(await app.post(Paths.register, registrationBody({ email: canonical })), 409);
    assertError(await app.post(Paths.register, registrationBody({ email: shouted })), 409);
  });

  it('the deprecated verify-otp alias confirms like confirm-otp', async () => {
    const body = registrationBody();
    const otp = await registerForCode(app, smtp, body);

    const confirm = await app.post(Paths.verifyOtp, { email: body.email, otp });

    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.message, Messages.userRegistered);
    assert.equal(confirm.body.user?.email, body.email);
  });

  for (const slash of ['/', ''] as const) {
    const variant = slash ? 'with' : 'without';

    it(`every registration path works ${variant} the trailing slash`, async () => {
      const path = (name: string) => `/api/users/${name}${slash}`;
      const confirmed = registrationBody();
      await expectCodeMailed(smtp, confirmed.email, () => app.post(path('register'), confirmed));
      const otp = await expectCodeMailed(smtp, confirmed.email, () =>
        app.post(path('resend-otp'), { email: confirmed.email }),
      );
      const confirm = await app.post(path('confirm-otp'), { email: confirmed.email, otp });
      assert.equal(confirm.status, 201, confirm.text);

      const aliased = registrationBody();
      const aliasOtp = await expectCodeMailed(smtp, aliased.email, () =>
        app.post(path('register'), aliased),
      );
      const verify = await app.post(path('verify-otp'), { email: aliased.email, otp: aliasOtp });
      assert.equal(verify.status, 201, verify.text);
    });
  }
});
