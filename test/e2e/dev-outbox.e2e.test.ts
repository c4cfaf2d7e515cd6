import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { Paths, outboxCode, registrationBody, type OutboxMail } from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** Polls `probe` every 50 ms until it returns a value, for at most 5 seconds. */
async function waitFor<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail('timed out after 5 s');
}

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

  it('the page sets the code apart in its own element with a copy button, newest mail first', async () => {
    const older = registrationBody();
    const newer = registrationBody();
    await app.post(Paths.register, older);
    await app.post(Paths.register, newer);
    const code = await outboxCode(app, newer.email);

    const page = (await app.get('/dev/outbox')).text;

    const first = page.indexOf('<article');
    assert.ok(first >= 0, 'no mail on the page');
    const newest = page.slice(first, page.indexOf('</article>', first));
    assert.ok(newest.includes(newer.email), 'the newest mail is not first');
    assert.match(newest, new RegExp(`<code class="copy-value"[^>]*>${code}</code>`));
    assert.match(
      newest,
      /<button type="button" class="copy-button" data-copy="copy-0">Copy<\/button>/,
    );
    assert.ok(page.indexOf(newer.email) < page.indexOf(older.email), 'not newest first');
  });

  it('the page sets the reset token apart too', async () => {
    const body = registrationBody();
    await app.post(Paths.register, body);
    await app.post(Paths.confirmOtp, { email: body.email, otp: await outboxCode(app, body.email) });
    assert.equal(
      (await app.post('/api/users/forgot-password/', { email: body.email })).status,
      200,
    );

    // The reset e-mail goes out off the request path.
    const reset = await waitFor(async () => {
      const mails = (await app.get<OutboxMail[]>('/dev/outbox.json')).body;
      return mails.find((mail) => mail.to === body.email && /reset/i.test(mail.subject));
    });
    const token = /reset token: (\S+)/.exec(reset.text)?.[1];
    assert.ok(token, reset.text);
    const page = (await app.get('/dev/outbox')).text;

    assert.ok(page.includes(`>${token}</code>`), 'the token has no element of its own');
    assert.match(page, /<code class="copy-value long"/);
  });

  it('the page refreshes itself through its script, served from the service (no inline script)', async () => {
    const body = registrationBody();
    await app.post(Paths.register, body);

    const page = (await app.get('/dev/outbox')).text;
    const script = await app.get('/dev/outbox.js');
    const mails = (await app.get<OutboxMail[]>('/dev/outbox.json')).body;

    assert.deepEqual(page.match(/<script[^>]*>/g), ['<script src="/dev/outbox.js">']);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.match(script.text, /fetch\('\/dev\/outbox\.json'/);
    // What the script compares the JSON with: a new mail changes it.
    const latest = /<body data-latest="([^"]*)">/.exec(page)?.[1];
    assert.equal(latest, `${mails.length}|${mails[0].sent_at}|${mails[0].to}`);
  });

  it('HTML in the full name reaches neither the mail nor the page', async () => {
    const body = registrationBody({ full_name: '<b>x</b><script>alert(1)</script>' });
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const outbox = await app.get<OutboxMail[]>('/dev/outbox.json');
    const page = await app.get('/dev/outbox');

    const mail = outbox.body.find((candidate) => candidate.to === body.email);
    assert.ok(mail);
    assert.ok(!mail.html.includes('&lt;b&gt;x&lt;/b&gt;'), 'the name in the mail, escaped');
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
    assertError(await app.get('/dev/outbox.js'), 404);
  });

  it('HTML in the full name does not reach the mail, escaped or not', async () => {
    const body = registrationBody({ full_name: '<b>x</b>' });
    assert.equal((await app.post(Paths.register, body)).status, 200);

    const mail = await smtp.waitForMail(body.email);

    assert.ok(!mail.html.includes('&lt;b&gt;x&lt;/b&gt;'), mail.html);
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
