import { defineMailTemplate } from './mail-template.js';

/**
 * Sent instead of a code when someone asks to move their account to an address that already
 * has one and enumeration protection is on: the caller sees the usual answer, the owner learns
 * of it. It greets by no name, so that no request can put text of its own into it.
 */
export const emailChangeAttemptMail = defineMailTemplate<Record<string, never>>({
  subject: 'Someone tried to use your e-mail address for another account',
  text: `Hello,

Someone just asked to move another account to your e-mail address, which already has one.
Nothing was changed, and your account is not affected. No action is needed.
`,
  html: `<p>Hello,</p>
<p>Someone just asked to move another account to your e-mail address, which already has one.</p>
<p>Nothing was changed, and your account is not affected. No action is needed.</p>`,
});
