import { defineMailTemplate } from './mail-template.js';

/**
 * Sent instead of a code when someone registers with an address that already has an account
 * and enumeration protection is on: the caller sees the usual answer, the owner learns of it.
 * Like every mail of the registration flow it greets by no name, so that no request can put text
 * of its own into it.
 */
export const registrationAttemptMail = defineMailTemplate<{ appUrl: string }>({
  subject: 'Someone tried to register with your e-mail address',
  text: `Hello,

Someone just tried to create a new account with your e-mail address, which already has one.
If it was you, sign in instead, or reset your password at {{appUrl}}/forgot-password.
If it was not you, no action is needed: no account was created.
`,
  html: `<p>Hello,</p>
<p>Someone just tried to create a new account with your e-mail address, which already has one.</p>
<p>If it was you, sign in instead, or reset your password at <a href="{{appUrl}}/forgot-password">{{appUrl}}/forgot-password</a>.</p>
<p>If it was not you, no action is needed: no account was created.</p>`,
});
