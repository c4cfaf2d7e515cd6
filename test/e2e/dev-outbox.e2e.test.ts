import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { Paths, outboxCode, registrationBody, type OutboxMail } from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('the development outbox (no MAIL_URL, NODE_ENV not production)', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  it('GET /dev/outbox.json lists the mails newest first as {to, subject, text, html, sent_at}', async () => {
    const first = registrationBody();
    const second = registrationBody();
    assert.equal((await app.post(Paths.register, first)).status, 200);
    assert.equal((await app.post(Paths.register, second)).status, 200);

    const outbox = await app.get<OutboxMail[]>('/dev/outbox.json');

    assert.equal(outbox.status, 200);
    assert.ok(Array.isArray(outbox.body));
    const recipients = outbox.body.map((mail) => mail.to);
    assert.ok(
      recipients.indexOf(second.email) >= 0 && recipients.indexOf(first.email) >= 0,
      outbox.text,
    );
    assert.ok(recipients.indexOf(second.email) < recipients.indexOf(first.email), 'newest first');
    for (const mail of outbox.body) {
      assert.deepEqual(Object.keys(mail).sort(), ['html', 'sent_at', 'subject', 'text', 'to']);
      assert.ok(!Number.isNaN(Date.parse(mail.sent_at)), `sent_at: ${mail.sent_at}`);
    }
    const sentAt = outbox.body.map((mail) => Date.parse(mail.sent_at));
    assert.deepEqual(
      sentAt,
      [...sentAt].sort((a, b) => b - a),
      'sent_at descends',
    );
  });

  it('the code is readable in the outbox and confirms the registration', async () => {
    const body = registrationBody();
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const otp = await outboxCode(app, body.email);
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp });

    assert.equal(confirm.status, 201, confirm.text);
  });

  it('a resend shows the new code on top', async () => {
    const body = registrationBody();
    await app.post(Paths.register, body);
    const first = await outboxCode(app, body.email);
    await app.post(Paths.resendOtp, { email: body.email });

    const latest = await outboxCode(app, body.email);
    const confirm = await app.post(Paths.confirmOtp, { email: body.email, otp: latest });

    assert.equal(confirm.status, 201, `first ${first}, latest ${latest}: ${confirm.text}`);
  });

  it('GET /dev/outbox is an HTML page listing the mails', async () => {
    const body = registrationBody();
    await app.post(Paths.register, body);

    const page = await app.get('/dev/outbox');

    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.text, /<!doctype html>/i);
    assert.ok(page.text.includes(body.email));
  });

  it('HTML in the full name is escaped in the mail and on the page', async () => {
    const body = registrationBody({ full_name: '<b>x</b><script>alert(1)</script>' });
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const outbox = await app.get<OutboxMail[]>('/dev/outbox.json');
    const page = await app.get('/dev/outbox');

    const mail = outbox.body.find((candidate) => candidate.to === body.email);
    assert.ok(mail);
    assert.ok(mail.html.includes('&lt;b&gt;x&lt;/b&gt;'), mail.html);
    assert.ok(!mail.html.includes('<b>x</b>'), 'raw HTML from the name in the mail');
    assert.ok(!mail.html.includes('<script>'), 'raw HTML from the name in the mail');
    assert.ok(!page.text.includes('<b>x</b>'), 'raw HTML from the name on the page');
    assert.ok(
      !page.text.includes('<script>alert(1)</script>'),
      'raw HTML from the name on the page',
    );
  });
});

describe('with MAIL_URL set', () => {
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

  it('there is no outbox: /dev/outbox.json and /dev/outbox are 404, even after a mail went out', async () => {
    const body = registrationBody();
    assert.equal((await app.post(Paths.register, body)).status, 200);
    await smtp.waitForMail(body.email);

    assertError(await app.get('/dev/outbox.json'), 404);
    assertError(await app.get('/dev/outbox'), 404);
  });

  it('HTML in the full name arrives escaped in the mail', async () => {
    const body = registrationBody({ full_name: '<b>x</b>' });
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const mail = await smtp.waitForMail(body.email);

    assert.ok(mail.html.includes('&lt;b&gt;x&lt;/b&gt;'), mail.html);
    assert.ok(!mail.html.includes('<b>x</b>'));
  });

  it('CR/LF in the full name adds no mail header and no recipient', async () => {
    const body = registrationBody({
      full_name: 'Eve\r\nBcc: victim@evil.example\r\nX-Injected: yes',
    });
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const mail = await smtp.waitForMail(body.email);

    assert.deepEqual(mail.envelopeTo, [body.email]);
    assert.equal(mail.headers.get('bcc'), undefined);
    assert.equal(mail.headers.get('x-injected'), undefined);
    assert.equal(smtp.mailsTo('victim@evil.example').length, 0);
    assert.doesNotMatch(mail.subject, /[\r\n]/);
  });
});
