import { defineMailTemplate } from './mail-template.js';

/** Tells the owner that a session was ended because one of its refresh tokens was used twice. */
export const sessionReuseMail = defineMailTemplate<{
  fullName: string;
  label: string;
  ip: string;
  startedAt: string;
  at: string;
  presentedFrom: string;
}>({
  subject: 'We ended a session of your account',
  text: `Hello {{fullName}},

We ended a session of your account at {{at}} because one of its refresh tokens was used twice,
which is what happens when a token was copied.

Session: {{label}}, signed in from {{ip}} at {{startedAt}}.
The used token was presented again from {{presentedFrom}}.

If this was not you, change your password now.
`,
  html: `<p>Hello {{fullName}},</p>
<p>We ended a session of your account at {{at}} because one of its refresh tokens was used twice,
which is what happens when a token was copied.</p>
<p>Session: {{label}}, signed in from {{ip}} at {{startedAt}}.<br>
The used token was presented again from {{presentedFrom}}.</p>
<p>If this was not you, change your password now.</p>`,
});
