import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertError } from '../support/http-assertions.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  loggedInAccount,
  Paths,
  sessionEnv,
} from '../support/session-helpers.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { render } from './support/fuzz-values.js';

/**
 * The cases fuzzing found (see support/fuzz-regression-cases.ts), each with the exact answer it
 * must get now. The fuzz properties try them too, but only against "no 5xx"; these pin them.
 */
describe('fuzz regressions: the cases that once failed', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  const EMAIL_INVALID = ['email must be a valid email address'];
  const LONE_SURROGATES = ['\ud800', '\udfff', 'ada\ud83d@example.com', 'ada@example.com\udbff'];

  it('a lone surrogate in the e-mail is a 400 "email must be a valid email address" on every endpoint that reads one (was a 500)', async () => {
    const bodies: [string, Record<string, unknown>][] = [
      [Paths.register, { password: freshPassword(), full_name: 'Ada' }],
      [Paths.confirmOtp, { otp: '123456' }],
      ['/api/users/verify-otp/', { otp: '123456' }],
      ['/api/users/resend-otp/', {}],
      [Paths.login, { password: freshPassword() }],
      [Paths.forgotPassword, {}],
    ];
    for (const [path, rest] of bodies) {
      for (const email of LONE_SURROGATES) {
        const response = await app.post(path, { ...rest, email });
        assertError(response, 400, EMAIL_INVALID);
      }
    }
  });

  it('the kept fuzz cases of the e-mail endpoints get exactly that answer as well', async () => {
    const paths: Record<string, string> = {
      'confirm-otp': Paths.confirmOtp,
      'verify-otp': '/api/users/verify-otp/',
      'resend-otp': '/api/users/resend-otp/',
      login: Paths.login,
      'forgot-password': Paths.forgotPassword,
    };
    const templates: Record<string, [string, unknown][]> = {
      'confirm-otp': [
        ['email', freshEmail()],
        ['otp', '123456'],
      ],
      'verify-otp': [
        ['email', freshEmail()],
        ['otp', '123456'],
      ],
      'resend-otp': [['email', freshEmail()]],
      login: [
        ['email', freshEmail()],
        ['password', freshPassword()],
      ],
      'forgot-password': [['email', freshEmail()]],
    };
    for (const [endpoint, path] of Object.entries(paths)) {
      const cases = keptCases(endpoint);
      assert.ok(cases.length > 0, `no kept case for ${endpoint}`);
      for (const kept of cases) {
        const body = render(kept, templates[endpoint]);
        const response = await app.request('POST', path, {
          body: body.text,
          headers: { 'content-type': body.contentType! },
        });
        assertError(response, 400, EMAIL_INVALID);
      }
    }
  });

  it('a quoted local part is a 400 "Invalid email address." at register, with nothing sent or left pending (was a 503)', async () => {
    for (const email of [
      '"a b"@example.com',
      '"eve@example.net,"@example.com',
      '"x\r\nBcc: eve@example.net"@example.com',
      '"plain"@example.com',
    ]) {
      const mailsBefore = smtp.mails.length;
      const response = await app.post(Paths.register, {
        email,
        password: freshPassword(),
        full_name: 'Quoted Person',
      });
      assertError(response, 400, 'Invalid email address.');
      assertError(
        await app.post('/api/users/resend-otp/', { email }),
        400,
        'OTP expired or invalid.',
      );
      await sleep(50);
      assert.equal(smtp.mails.length, mailsBefore, `a mail was sent for ${email}`);
    }
  });

  it('a NUL or a lone surrogate in full_name is a 400 naming the field, at register and PATCH me, and the name stays (was a 500 on PostgreSQL, a silent U+FFFD)', async () => {
    const { tokens } = await loggedInAccount(app, smtp, { fullName: 'Kept Name' });
    const cases: [string, string][] = [
      ['Eve\u0000', 'full_name must not contain null characters'],
      ['\u0000', 'full_name must not contain null characters'],
      ['Eve\ud800', 'full_name must be well-formed Unicode text'],
      ['\udfff Eve', 'full_name must be well-formed Unicode text'],
    ];
    for (const [fullName, message] of cases) {
      const register = await app.post(Paths.register, {
        email: freshEmail(),
        password: freshPassword(),
        full_name: fullName,
      });
      assertError(register, 400, [message]);
      const patch = await app.request('PATCH', Paths.me, {
        token: tokens.access,
        body: { full_name: fullName },
      });
      assertError(patch, 400, [message]);
    }
    const me = await app.get(Paths.me, { token: tokens.access });
    assert.equal(me.body.full_name, 'Kept Name');

    // A surrogate pair (an emoji) is text like any other and is stored as sent.
    const emoji = await app.request('PATCH', Paths.me, {
      token: tokens.access,
      body: { full_name: 'Eve 🧪' },
    });
    assert.equal(emoji.status, 200, emoji.text);
    assert.equal(emoji.body.full_name, 'Eve 🧪');
  });
});
