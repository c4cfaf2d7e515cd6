import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { domainToASCII } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertErrorShape } from '../support/http-assertions.js';
import { outboxCode } from '../support/registration.js';
import { otpFrom, SmtpSink, type ReceivedMail } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';
import {
  assertCleanLogs,
  freshPassword,
  login,
  Paths,
  payloadOf,
  registerAndConfirm,
  rememberSecret,
  requestResetToken,
  sessionEnv,
  type Account,
  type SessionBody,
} from '../support/session-helpers.js';

/** A variant of an account's address, as an attacker or a confused client would type it. */
interface Variant {
  name: string;
  /** The domain of the account it is a variant of (default example.com). */
  domain?: string;
  make(email: string): string;
}

const VARIANTS: Variant[] = [
  { name: 'upper case', make: (email) => email.toUpperCase() },
  { name: 'mixed case between spaces', make: (email) => `  M${email.slice(1)}  ` },
  {
    // Lower-cases to an ASCII k: by SPEC's rule (trim, lower-case) it is the same address.
    name: 'the Kelvin sign K (U+212A) for k',
    make: (email) => email.replace('k', '\u212A'),
  },
  { name: 'dotless ı (U+0131) for i', make: (email) => email.replace('i', '\u0131') },
  {
    name: 'capital İ (U+0130) in the upper-cased address',
    make: (email) => email.toUpperCase().replace('I', '\u0130'),
  },
  { name: 'Cyrillic а (U+0430) for a', make: (email) => email.replace('a', '\u0430') },
  { name: 'Cyrillic е (U+0435) in the domain', make: (email) => email.replace('@e', '@\u0435') },
  {
    name: 'the punycode of that Cyrillic domain',
    make: (email) => email.replace('@example.com', '@xn--xample-2of.com'),
  },
  { name: 'full-width ＠ (U+FF20)', make: (email) => email.replace('@', '\uFF20') },
  { name: 'full-width ｍ (U+FF4D)', make: (email) => email.replace('m', '\uFF4D') },
  { name: 'a zero-width space', make: (email) => email.replace('.', '.\u200B') },
  { name: 'a soft hyphen', make: (email) => email.replace('kaita', 'kai\u00ADta') },
  { name: 'a trailing dot on the domain', make: (email) => `${email}.` },
  { name: 'a plus tag', make: (email) => email.replace('@', '+x@') },
  {
    name: 'NFD (e + U+0301) where the account has NFC é',
    domain: 'caf\u00E9.com',
    make: (email) => email.normalize('NFD'),
  },
  {
    name: 'NFC é where the account has NFD (e + U+0301)',
    domain: 'cafe\u0301.com',
    make: (email) => email.normalize('NFC'),
  },
  { name: 'a quoted local part', make: (email) => `"${email.split('@')[0]}"@example.com` },
  { name: 'a NUL after it', make: (email) => `${email}\u0000` },
  { name: 'a CR LF and a Bcc after it', make: (email) => `${email}\r\nBcc: eve@example.net` },
];

/**
 * The mailbox an address reaches: the local part as typed, the domain in its IDNA ASCII form
 * (UTS #46 maps case, NFC/NFD and Unicode to one punycode name), because the SMTP envelope may
 * spell the same domain either way.
 */
function mailbox(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${domainToASCII(address.slice(at + 1)) || address.slice(at + 1)}`;
}

/** Mails received since `count` mails had been received. */
function mailsSince(smtp: SmtpSink, count: number): ReceivedMail[] {
  return smtp.mails.slice(count);
}

/** Waits until a mail beyond the first `count` has arrived, and returns the new ones. */
async function nextMails(smtp: SmtpSink, count: number): Promise<ReceivedMail[]> {
  const deadline = Date.now() + 5_000;
  while (smtp.mails.length <= count) {
    assert.ok(Date.now() < deadline, 'no mail arrived within 5 s');
    await sleep(20);
  }
  return mailsSince(smtp, count);
}

/** Every mail in `mails` went to the mailbox of `email` and nowhere else. */
function assertOnlyTo(mails: ReceivedMail[], email: string, what: string): void {
  for (const mail of mails) {
    assert.deepEqual(
      mail.envelopeTo.map(mailbox),
      [mailbox(email)],
      `${what}: a mail went to ${mail.envelopeTo.join()}`,
    );
  }
}

describe('input edge cases over the real server', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: '1000' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  describe('e-mail variants: the same account only when trimming and lower-casing make it so, never another one', () => {
    /** Registers and confirms `email`, reading the code from whatever spelling the mail used. */
    async function registerVictim(email: string): Promise<Account> {
      const password = freshPassword();
      const mailsBefore = smtp.mails.length;
      const register = await app.post(Paths.register, {
        email,
        password,
        full_name: 'Mikael Kaita',
      });
      assert.equal(register.status, 200, register.text);
      const [mail] = await nextMails(smtp, mailsBefore);
      assertOnlyTo([mail], email, "the victim's code");
      const confirm = await app.post<SessionBody>(Paths.confirmOtp, { email, otp: otpFrom(mail) });
      assert.equal(confirm.status, 201, confirm.text);
      return { email, password, user: confirm.body.user! };
    }

    for (const variant of VARIANTS) {
      it(variant.name, async () => {
        const victim = await registerVictim(
          `mikael.kaita-${randomBytes(3).toString('hex')}@${variant.domain ?? 'example.com'}`,
        );
        const typed = variant.make(victim.email);
        assert.notEqual(typed, victim.email, 'the variant changes nothing');
        // The service's rule (SPEC): trimmed and lower-cased, the same account; else another.
        const sameAccount = typed.trim().toLowerCase() === victim.email;

        // Log in with the victim's password.
        const loggedIn = await app.post<SessionBody>(Paths.login, {
          email: typed,
          password: victim.password,
        });
        if (sameAccount) {
          assert.equal(loggedIn.status, 200, loggedIn.text);
          rememberSecret(loggedIn.body.access, loggedIn.body.refresh);
          assert.equal(payloadOf(loggedIn.body.access!).sub, victim.user.id);
        } else {
          assert.ok([400, 401].includes(loggedIn.status), `logged in: ${loggedIn.text}`);
        }

        // Ask for a reset: a mail only for the account itself, and only to its own mailbox.
        const mailsBeforeReset = smtp.mails.length;
        const forgot = await app.post<SessionBody>(Paths.forgotPassword, { email: typed });
        assert.ok([200, 400].includes(forgot.status), forgot.text);
        if (sameAccount) await nextMails(smtp, mailsBeforeReset);
        await sleep(300); // the mail goes out off the request path: give a stray one time
        const resetMails = mailsSince(smtp, mailsBeforeReset);
        assert.equal(resetMails.length, sameAccount ? 1 : 0, 'reset mails sent');
        assertOnlyTo(resetMails, victim.email, 'forgot-password');

        // Register it: the same account (409), refused (400), or a separate account whose code
        // goes to the typed address's own mailbox.
        const mailsBeforeRegister = smtp.mails.length;
        const password = freshPassword();
        const registered = await app.post<SessionBody>(Paths.register, {
          email: typed,
          password,
          full_name: 'Mallory',
        });
        if (sameAccount) {
          assert.equal(registered.status, 409, registered.text);
        } else if (registered.status === 200) {
          const normalised = typed.trim().toLowerCase();
          const [codeMail, ...more] = await nextMails(smtp, mailsBeforeRegister);
          assert.equal(more.length, 0);
          assertOnlyTo([codeMail], normalised, 'register');
          const confirmed = await app.post<SessionBody>(Paths.confirmOtp, {
            email: typed,
            otp: otpFrom(codeMail),
          });
          assert.equal(confirmed.status, 201, confirmed.text);
          assert.notEqual(confirmed.body.user?.id, victim.user.id);
          assert.equal(confirmed.body.user?.email, normalised);
          const other = await login(app, typed, password);
          assert.notEqual(payloadOf(other.access).sub, victim.user.id);
        } else {
          assert.equal(registered.status, 400, registered.text);
        }

        // The account itself is untouched.
        const tokens = await login(app, victim.email, victim.password);
        const me = await app.get<SessionBody>(Paths.me, { token: tokens.access });
        assert.deepEqual(
          [me.body.id, me.body.email, me.body.full_name],
          [victim.user.id, victim.email, 'Mikael Kaita'],
        );
      });
    }
  });

  describe('full_name: line breaks add no mail header, HTML is escaped in every HTML body', () => {
    const HEADER_INJECTION =
      'Eve\r\nBcc: attacker@example.net\r\nX-Injected: yes\r\nSubject: pwned\r\n\r\nhello';
    const HTML = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted'`;

    /**
     * The three mails of an account: the code (which carries no name: it goes to an address nobody
     * has proven to own), the reset link and the password-changed notice (which greet by name).
     */
    async function mailsWithName(
      fullName: string,
    ): Promise<{ account: Account; mails: ReceivedMail[] }> {
      const account = await registerAndConfirm(app, smtp, { fullName });
      await requestResetToken(app, smtp, account.email);
      const { access } = await login(app, account.email, account.password);
      const changed = await app.post<SessionBody>(
        Paths.changePassword,
        { current_password: account.password, new_password: freshPassword() },
        { token: access },
      );
      assert.equal(changed.status, 200, changed.text);
      rememberSecret(changed.body.access, changed.body.refresh);
      await smtp.waitForMail(account.email, 3);
      return { account, mails: smtp.mailsTo(account.email) };
    }

    it('CR LF in full_name: each mail goes to the account only, with no added header', async () => {
      const { account, mails } = await mailsWithName(HEADER_INJECTION);
      assert.equal(mails.length, 3);
      for (const [index, mail] of mails.entries()) {
        assert.deepEqual(mail.envelopeTo, [account.email], mail.subject);
        assert.ok(!mail.headers.has('bcc'), `a Bcc header in "${mail.subject}"`);
        assert.ok(!mail.headers.has('x-injected'), `an injected header in "${mail.subject}"`);
        assert.notEqual(mail.subject, 'pwned');
        // The name did reach the mails that greet by name, as text; the code's mail has none.
        assert.equal(mail.text.includes('Bcc: attacker@example.net'), index > 0, mail.text);
      }
      assert.equal(
        smtp.mails.filter((mail) => mail.envelopeTo.includes('attacker@example.net')).length,
        0,
        'a mail went to the injected address',
      );
    });

    it('HTML in full_name: escaped in the HTML body of each mail that greets by name, verbatim in its text body; absent from the code mail', async () => {
      const { mails } = await mailsWithName(HTML);
      assert.equal(mails.length, 3);
      for (const [index, mail] of mails.entries()) {
        const greetsByName = index > 0;
        assert.ok(mail.html.length > 0, `no HTML body in "${mail.subject}"`);
        assert.ok(!mail.html.includes('<script'), `a script tag in "${mail.subject}"`);
        assert.ok(!mail.html.includes('<img'), `an img tag in "${mail.subject}"`);
        assert.equal(
          mail.html.includes('&lt;script&gt;'),
          greetsByName,
          `the name is (not) shown in "${mail.subject}"`,
        );
        assert.equal(
          mail.text.includes(HTML),
          greetsByName,
          `the text body changed (or showed) the name in "${mail.subject}"`,
        );
      }
    });

    it('PATCH me with HTML and line breaks stores the name as text and shows it in the next mail escaped', async () => {
      const account = await registerAndConfirm(app, smtp);
      const { access } = await login(app, account.email, account.password);
      const patched = await app.request<SessionBody>('PATCH', Paths.me, {
        token: access,
        body: { full_name: `${HTML}\r\nBcc: attacker@example.net` },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.equal(patched.body.full_name, `${HTML}\r\nBcc: attacker@example.net`);
      await requestResetToken(app, smtp, account.email);
      const reset = smtp.mailsTo(account.email).at(-1)!;
      assert.ok(!reset.html.includes('<script'), reset.html);
      assert.ok(!reset.headers.has('bcc'));
      assert.deepEqual(reset.envelopeTo, [account.email]);
    });
  });

  describe('long passwords: every character counts, up to 128 code points', () => {
    /** A password of `length` code points made of `unit`s and random letters, never a common one. */
    function passwordOf(length: number, unit: 'ascii' | 'astral'): string {
      const letters = randomBytes(length).toString('hex');
      const chars = [...letters.slice(0, length)].map((char, index) =>
        unit === 'astral' && index % 2 ? String.fromCodePoint(0x1f300 + (index % 200)) : char,
      );
      const password = chars.join('');
      assert.equal([...password].length, length);
      return password;
    }

    for (const [length, unit] of [
      [64, 'ascii'],
      [128, 'ascii'],
      [128, 'astral'],
    ] as const) {
      it(`${length} ${unit === 'astral' ? 'code points, half of them outside the BMP' : 'characters'}: register → confirm → login, and a change in the last character fails`, async () => {
        const password = passwordOf(length, unit);
        rememberSecret(password);
        const account = await registerAndConfirm(app, smtp, { password });
        await login(app, account.email, password);
        for (const wrong of [
          [...password].slice(0, -1).join(''),
          `${[...password].slice(0, -1).join('')}!`,
          `${password}x`,
        ]) {
          const response = await app.post<SessionBody>(Paths.login, {
            email: account.email,
            password: wrong,
          });
          assert.equal(
            response.status,
            401,
            `a password that differs at the end works (${wrong.length})`,
          );
        }
      });
    }

    it('128 code points through change-password and reset-password; 129 are refused', async () => {
      const account = await registerAndConfirm(app, smtp);
      const { access } = await login(app, account.email, account.password);
      const longest = passwordOf(128, 'astral');
      const tooLong = passwordOf(129, 'ascii');
      rememberSecret(longest, tooLong);

      const refused = await app.post<SessionBody>(
        Paths.changePassword,
        { current_password: account.password, new_password: tooLong },
        { token: access },
      );
      assert.equal(refused.status, 400, refused.text);
      assert.ok(String(refused.body.message).includes('at most 128 characters'), refused.text);

      const changed = await app.post<SessionBody>(
        Paths.changePassword,
        { current_password: account.password, new_password: longest },
        { token: access },
      );
      assert.equal(changed.status, 200, changed.text);
      rememberSecret(changed.body.access, changed.body.refresh);
      await login(app, account.email, longest);
      await smtp.waitForMail(account.email, 2); // the "password changed" notice, off the request path

      const token = await requestResetToken(app, smtp, account.email);
      const reset64 = passwordOf(64, 'ascii');
      rememberSecret(reset64);
      const reset = await app.post<SessionBody>(Paths.resetPassword, {
        token,
        new_password: reset64,
      });
      assert.equal(reset.status, 200, reset.text);
      await login(app, account.email, reset64);

      const register = await app.post<SessionBody>(Paths.register, {
        email: `long-${randomBytes(4).toString('hex')}@example.com`,
        password: tooLong,
        full_name: 'Too Long',
      });
      assert.equal(register.status, 400, register.text);
    });
  });

  describe('a 1 MB body is refused at once', () => {
    const MEGABYTE = 1024 * 1024;

    /**
     * Sends the request head and only `sendBytes` of the body over a raw socket, and waits for
     * the answer: a 413 then proves the server refused without waiting for the rest of the body.
     */
    function sendHead(
      path: string,
      framing: 'content-length' | 'chunked',
      sendBytes: number,
    ): Promise<{ status: number; text: string; ms: number }> {
      const url = new URL(app.baseUrl);
      const started = performance.now();
      return new Promise((resolve, reject) => {
        const socket = connect({ host: url.hostname, port: Number(url.port) });
        const chunks: Buffer[] = [];
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer within 5 s to a ${framing} 1 MB body`));
        }, 5_000);
        socket.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          const raw = Buffer.concat(chunks).toString('utf8');
          const split = raw.indexOf('\r\n\r\n');
          const length = /content-length: (\d+)/i.exec(raw)?.[1];
          if (split < 0 || length === undefined) return;
          const text = raw.slice(split + 4);
          if (Buffer.byteLength(text) < Number(length)) return;
          clearTimeout(timer);
          socket.destroy();
          resolve({ status: Number(raw.split(' ')[1]), text, ms: performance.now() - started });
        });
        socket.on('error', () => undefined); // the server may close while we still write
        socket.on('connect', () => {
          socket.write(
            [
              `POST ${path} HTTP/1.1`,
              `Host: ${url.host}`,
              'Content-Type: application/json',
              framing === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${MEGABYTE}`,
              '',
              '',
            ].join('\r\n'),
          );
          const body = Buffer.from(`{"email":"${'a'.repeat(sendBytes)}`).subarray(0, sendBytes);
          for (let offset = 0; offset < body.length; offset += 4096) {
            const piece = body.subarray(offset, offset + 4096);
            socket.write(
              framing === 'chunked'
                ? Buffer.concat([
                    Buffer.from(`${piece.length.toString(16)}\r\n`),
                    piece,
                    Buffer.from('\r\n'),
                  ])
                : piece,
            );
          }
        });
      });
    }

    for (const path of [Paths.register, Paths.login, Paths.me]) {
      for (const framing of ['content-length', 'chunked'] as const) {
        it(`POST ${path} with a ${framing} 1 MB body: 413 before the body has arrived`, async () => {
          const answer = await sendHead(path, framing, 64 * 1024);
          assert.equal(answer.status, 413, answer.text);
          const response: TestResponse = {
            status: answer.status,
            text: answer.text,
            body: JSON.parse(answer.text) as TestResponse['body'],
            headers: new Headers(),
          };
          assertErrorShape(response);
          assert.equal(response.body.message, 'Request body is too large.');
          assert.ok(answer.ms < 3_000, `took ${Math.round(answer.ms)} ms`);
        });
      }
    }

    it('a client that sends the whole megabyte gets 413 quickly, and the service answers after', async () => {
      const started = performance.now();
      const response = await app.post<SessionBody>(Paths.register, {
        email: 'big@example.com',
        password: 'x'.repeat(MEGABYTE),
        full_name: 'Big Body',
      });
      const ms = performance.now() - started;
      assert.equal(response.status, 413, response.text);
      assert.equal(response.body.message, 'Request body is too large.');
      assert.ok(ms < 3_000, `took ${Math.round(ms)} ms`);
      assert.equal((await app.get('/health')).status, 200);
    });
  });
});

describe('HTML in full_name on the development outbox page', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start({ OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  it('the page shows the code mail readable, without the name, raw or escaped', async () => {
    const email = `outbox-${randomBytes(4).toString('hex')}@example.com`;
    const register = await app.post(Paths.register, {
      email,
      password: freshPassword(),
      full_name: '<script>alert(1)</script><img src=x onerror=alert(2)>',
    });
    assert.equal(register.status, 200, register.text);
    const code = await outboxCode(app, email);

    const page = await app.get('/dev/outbox');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(code), 'the code is not on the page');
    assert.ok(!/<script>alert|<img src=x/.test(page.text), 'the name is on the page, raw');
    assert.ok(!page.text.includes('alert(1)'), 'the name reached the code mail');
  });
});
