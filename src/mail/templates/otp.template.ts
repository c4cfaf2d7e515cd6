import { defineMailTemplate } from './mail-template.js';

/** The registration code, shown as one run of digits. */
export const otpMail = defineMailTemplate<{ fullName: string; code: string; minutes: number }>({
  subject: 'Your verification code: {{code}}',
  text: `Hello {{fullName}},

Your verification code is: {{code}}

It expires in {{minutes}} minutes. If you did not try to register, ignore this e-mail.
`,
  html: `<p>Hello {{fullName}},</p>
<p>Your verification code is:</p>
<p style="font-size: 28px; font-weight: bold; letter-spacing: 4px; font-family: monospace;">{{code}}</p>
<p>It expires in {{minutes}} minutes. If you did not try to register, ignore this e-mail.</p>`,
  copy: { label: 'Verification code', field: 'code' },
});
