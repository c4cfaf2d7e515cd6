import { defineMailTemplate } from './mail-template.js';

/** Tells the owner that the password changed and every session was signed out. */
export const passwordChangedMail = defineMailTemplate<{ fullName: string }>({
  subject: 'Your password was changed',
  text: `Hello {{fullName}},

The password of your account was just changed, and every session was signed out.
If this was not you, reset your password now and contact support.
`,
  html: `<p>Hello {{fullName}},</p>
<p>The password of your account was just changed, and every session was signed out.</p>
<p>If this was not you, reset your password now and contact support.</p>`,
});
