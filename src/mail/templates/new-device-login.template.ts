import { defineMailTemplate } from './mail-template.js';

/** Tells the owner that their account was signed in to from a client none of their sessions had. */
export const newDeviceLoginMail = defineMailTemplate<{
  fullName: string;
  label: string;
  ip: string;
  at: string;
}>({
  subject: 'New sign-in on {{label}}',
  text: `Hello {{fullName}},

There was a new sign-in to your account on {{label}} from {{ip}} at {{at}}.

If this was you, there is nothing to do. If it was not, change your password now: that ends
every session of your account.
`,
  html: `<p>Hello {{fullName}},</p>
<p>There was a new sign-in to your account on {{label}} from {{ip}} at {{at}}.</p>
<p>If this was you, there is nothing to do. If it was not, change your password now: that ends
every session of your account.</p>`,
});
