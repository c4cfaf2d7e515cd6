import { defineMailTemplate, type MailContent } from './mail-template.js';

const template = defineMailTemplate<{ code: string; minutes: number; day: string; time: string }>({
  subject: 'Your verification code: {{code}}',
  text: `Hello,

Your verification code is: {{code}}

It expires in {{minutes}} minutes.

This code completes the registration started on {{day}} at {{time}} UTC. If that was not you, ignore this mail.
`,
  html: `<p>Hello,</p>
<p>Your verification code is:</p>
<p style="font-size: 28px; font-weight: bold; letter-spacing: 4px; font-family: monospace;">{{code}}</p>
<p>It expires in {{minutes}} minutes.</p>
<p>This code completes the registration started on {{day}} at {{time}} UTC. If that was not you, ignore this mail.</p>`,
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
  // Spread, so that a missing value stays missing and the strict template refuses it.
  return template({ ...values, day: started.slice(0, 10), time: started.slice(11, 16) });
}
