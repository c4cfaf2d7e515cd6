import { defineMailTemplate } from './mail-template.js';

/**
 * Tells the previous address that the account moved away from it: to which address (partly
 * masked), when, from where and on what client. It never carries the code.
 */
export const emailChangedMail = defineMailTemplate<{
  fullName: string;
  newEmail: string;
  label: string;
  ip: string;
  at: string;
}>({
  subject: 'The e-mail address of your account was changed',
  text: `Hello {{fullName}},

The e-mail address of your account was changed from this address to {{newEmail}} at {{at}},
from {{ip}} on {{label}}.

From now on the account signs in with the new address, and its mails go there. If this was
you, there is nothing to do. If it was not, someone who knows your password has moved your
account: contact the service's support at once.
`,
  html: `<p>Hello {{fullName}},</p>
<p>The e-mail address of your account was changed from this address to {{newEmail}} at {{at}},
from {{ip}} on {{label}}.</p>
<p>From now on the account signs in with the new address, and its mails go there. If this was
you, there is nothing to do. If it was not, someone who knows your password has moved your
account: contact the service's support at once.</p>`,
});
