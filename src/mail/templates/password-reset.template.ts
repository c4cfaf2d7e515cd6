import { defineMailTemplate } from './mail-template.js';

/** The reset link and, for clients without a web page, the raw token. */
export const passwordResetMail = defineMailTemplate<{
  fullName: string;
  link: string;
  token: string;
  minutes: number;
}>({
  subject: 'Reset your password',
  text: `Hello {{fullName}},

Someone asked to reset the password of your account. To choose a new one, open:
{{link}}

Or use this reset token: {{token}}

It expires in {{minutes}} minutes and works once. If you did not ask for this, ignore this e-mail.
`,
  html: `<p>Hello {{fullName}},</p>
<p>Someone asked to reset the password of your account. To choose a new one, open:</p>
<p><a href="{{link}}">Reset your password</a></p>
<p>Or use this reset token:</p>
<p style="font-family: monospace; word-break: break-all;">{{token}}</p>
<p>It expires in {{minutes}} minutes and works once. If you did not ask for this, ignore this e-mail.</p>`,
  copy: { label: 'Reset token', field: 'token' },
});
