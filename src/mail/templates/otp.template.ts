import { defineMailTemplate, type MailContent } from './mail-template.js';

const template = defineMailTemplate<{ code: string; minutes: number; purpose: string }>({
  subject: 'Your verification code: {{code}}',
  text: `Hello,

Your verification code is: {{code}}

It expires in {{minutes}} minutes.

{{purpose}}
`,
  html: `<p>Hello,</p>
<p>Your verification code is:</p>
<p style="font-size: 28px; font-weight: bold; letter-spacing: 4px; font-family: monospace;">{{code}}</p>
<p>It expires in {{minutes}} minutes.</p>
<p>{{purpose}}</p>`,
  copy: { label: 'Verification code', field: 'code' },
});

/**
 * The registration code, shown as one run of digits before any other number, with the time its
 * registration started, so that the reader can tell their own registration from someone else's
 * with the same address. It carries no text from the request: anyone can have it sent to any
 * address, and a `full_name` would let them write into it (a link, a lure) under our sender.
 */
export function otpMail(values: { code: string; minutes: number; startedAt: Date }): MailContent {
  const started = values.startedAt.toISOString();
  const [day, time] = [started.slice(0, 10), started.slice(11, 16)];
  // Spread, so that a missing value stays missing and the strict template refuses it.
  return template({
    ...values,
    purpose: `This code completes the registration started on ${day} at ${time} UTC. If that was not you, ignore this mail.`,
  });
}

/**
 * The code that confirms a new address for an existing account, shown like the registration
 * code. It carries no text of the account either (no name): whoever holds a session can have it
 * sent to any address.
 */
export function emailChangeCodeMail(values: { code: string; minutes: number }): MailContent {
  return template({
    ...values,
    purpose:
      'This code confirms a request to use this address for an existing account. If that was not ' +
      'you, ignore this mail: without the code, nothing changes.',
  });
}
