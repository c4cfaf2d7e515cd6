import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MailContent } from '../../../src/mail/templates/mail-template.js';
import { emailChangeAttemptMail } from '../../../src/mail/templates/email-change-attempt.template.js';
import { emailChangedMail } from '../../../src/mail/templates/email-changed.template.js';
import { mailTime } from '../../../src/mail/templates/mail-time.js';
import { emailChangeCodeMail, otpMail } from '../../../src/mail/templates/otp.template.js';
import { maskEmail } from '../../../src/common/mask-email.js';
import { passwordChangedMail } from '../../../src/mail/templates/password-changed.template.js';
import { passwordResetMail } from '../../../src/mail/templates/password-reset.template.js';
import { registrationAttemptMail } from '../../../src/mail/templates/registration-attempt.template.js';

/** Decodes the entities Handlebars writes, to read an attribute as a browser would. */
function decodeHtml(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return html.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return named[name] ?? entity;
  });
}

/** Every run of digits in the text of an HTML body (tags and attributes left out). */
function digitRunsOfHtml(html: string): string[] {
  return decodeHtml(html.replace(/<[^>]*>/g, ' ')).match(/\d+/g) ?? [];
}

const EVIL_NAME = '<img src=x onerror="alert(1)"> & <b>Eve</b>';

describe('mail templates', () => {
  describe('the OTP mail', () => {
    const startedAt = new Date('2026-12-06T19:53:41.512Z');
    const mail = otpMail({ code: '042917', minutes: 10, startedAt });

    it('shows the code as one run of digits in the text body', () => {
      assert.match(mail.text, /(?<!\d)042917(?!\d)/);
    });

    it('shows the code before any other number of the text body', () => {
      const short = otpMail({ code: '0429', minutes: 10, startedAt });
      assert.equal(/\d+/.exec(short.text)?.[0], '0429', short.text);
    });

    it('shows the code as one run of digits in the HTML body', () => {
      assert.ok(digitRunsOfHtml(mail.html).includes('042917'), mail.html);
    });

    it('names the code as the value to copy, for the development outbox', () => {
      assert.deepEqual(mail.copy, { label: 'Verification code', value: '042917' });
    });

    it('tells the lifetime and the UTC time the registration started, whatever the local zone', () => {
      const line =
        'This code completes the registration started on 2026-12-06 at 19:53 UTC. If that was not you, ignore this mail.';
      assert.match(mail.text, /10 minutes/);
      assert.ok(mail.text.includes(line), mail.text);
      assert.ok(decodeHtml(mail.html).includes(line), mail.html);
    });

    it('greets by no name: it has nothing to write a name with', () => {
      assert.match(mail.text, /^Hello,$/m);
      assert.match(mail.html, /<p>Hello,<\/p>/);
    });

    it('never lets a line break in a value reach the subject', () => {
      const injected = otpMail({
        code: '042917\r\nBcc: eve@example.com\n\rX: y',
        minutes: 10,
        startedAt,
      });
      assert.doesNotMatch(injected.subject, /[\r\n]/);
      assert.match(injected.subject, /042917/);
    });
  });

  describe('the password reset mail', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ0eXAiOiJyZXNldCJ9.c2lnbmF0dXJl_-';
    const link = `https://app.example.com/reset-password?token=${token}`;
    const mail = passwordResetMail({ fullName: 'Ada', link, token, minutes: 15 });

    it('carries the link and the raw token in the text body', () => {
      assert.ok(mail.text.includes(link));
      assert.match(
        mail.text,
        new RegExp(`(?<!\\S)${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?!\\S)`),
      );
    });

    it('links to the reset page and shows the raw token in the HTML body', () => {
      const href = /<a href="([^"]*)"/.exec(mail.html)?.[1];
      assert.equal(href === undefined ? undefined : decodeHtml(href), link);
      assert.ok(decodeHtml(mail.html.replace(/<[^>]*>/g, ' ')).includes(token));
    });

    it('has a subject without the token', () => {
      assert.ok(!mail.subject.includes(token));
    });

    it('names the token as the value to copy, for the development outbox', () => {
      assert.deepEqual(mail.copy, { label: 'Reset token', value: token });
    });
  });

  describe('every template', () => {
    const rendered: [string, (fullName: string) => MailContent][] = [
      [
        'password reset',
        (fullName) =>
          passwordResetMail({
            fullName,
            link: 'https://a.example/r?token=t',
            token: 't',
            minutes: 15,
          }),
      ],
      ['password changed', (fullName) => passwordChangedMail({ fullName })],
    ];
    for (const [name, render] of rendered) {
      it(`escapes the name in the ${name} mail's HTML and keeps the subject on one line`, () => {
        const mail = render(`${EVIL_NAME}\r\nBcc: eve@example.com`);
        assert.ok(!mail.html.includes('<img'), mail.html);
        assert.ok(mail.html.includes('&lt;img'), mail.html);
        assert.doesNotMatch(mail.subject, /[\r\n]/);
      });
    }

    it('has nothing to copy in the mails that carry no code or token', () => {
      assert.equal(passwordChangedMail({ fullName: 'Ada' }).copy, undefined);
      assert.equal(registrationAttemptMail({ appUrl: 'https://a.example' }).copy, undefined);
    });

    it('greets by no name in the registration attempt mail, which goes to whoever owns the address', () => {
      const mail = registrationAttemptMail({ appUrl: 'https://a.example' });
      assert.match(mail.text, /^Hello,$/m);
      assert.match(mail.html, /<p>Hello,<\/p>/);
    });

    it('fails loudly when a value is missing, instead of sending a hole', () => {
      assert.throws(() =>
        otpMail({ minutes: 10, startedAt: new Date() } as unknown as Parameters<typeof otpMail>[0]),
      );
    });
  });

  describe('the e-mail change mails', () => {
    it('shows the code to the new address first, as one run of digits, and greets by no name', () => {
      const mail = emailChangeCodeMail({ code: '042917', minutes: 10 });
      assert.equal(/\d+/.exec(mail.text)?.[0], '042917', mail.text);
      assert.ok(digitRunsOfHtml(mail.html).includes('042917'), mail.html);
      assert.match(mail.text, /^Hello,$/m);
      assert.match(mail.text, /existing account/);
      assert.deepEqual(mail.copy, { label: 'Verification code', value: '042917' });
    });

    it('tells the old address what changed, when, from where and on what client, the new address masked', () => {
      const mail = emailChangedMail({
        fullName: EVIL_NAME,
        newEmail: maskEmail('grace.hopper@example.com'),
        label: 'Firefox on Linux',
        ip: '203.0.113.7',
        at: mailTime(new Date('2026-12-06T21:40:05.123Z')),
      });
      for (const part of [
        'g***@example.com',
        'Firefox on Linux',
        '203.0.113.7',
        '2026-12-06 21:40:05 UTC',
      ]) {
        assert.ok(mail.text.includes(part), `${part}: ${mail.text}`);
      }
      assert.ok(!mail.text.includes('grace.hopper'), mail.text);
      assert.doesNotMatch(mail.html, /<img|<b>Eve/, 'the name reached the HTML unescaped');
      assert.equal(mail.copy, undefined);
    });

    it('greets by no name in the notice to the owner of a taken address, and carries no code', () => {
      const mail = emailChangeAttemptMail({});
      assert.match(mail.text, /^Hello,$/m);
      assert.doesNotMatch(mail.text, /\d/);
      assert.equal(mail.copy, undefined);
    });

    it('masks an address to its first character and its domain', () => {
      assert.equal(maskEmail('ada.lovelace@example.com'), 'a***@example.com');
      assert.equal(maskEmail('x@sub.example.org'), 'x***@sub.example.org');
    });
  });
});
