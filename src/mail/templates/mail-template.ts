import Handlebars from 'handlebars';

/** A rendered e-mail. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

/**
 * Compiles a subject, a plain-text and an HTML body once. The HTML body is escaped by
 * Handlebars, so a name such as `<b>Eve</b>` arrives as text; the text body and the subject are
 * not HTML and are left as they are (line breaks in the subject are removed, so no value can
 * add a mail header).
 */
export function defineMailTemplate<T extends object>(parts: {
  subject: string;
  text: string;
  html: string;
}): (values: T) => MailContent {
  const subject = Handlebars.compile<T>(parts.subject, { noEscape: true, strict: true });
  const text = Handlebars.compile<T>(parts.text, { noEscape: true, strict: true });
  const html = Handlebars.compile<T>(layout(parts.html), { strict: true });
  return (values) => ({
    subject: subject(values).replace(/[\r\n]+/g, ' '),
    text: text(values),
    html: html(values),
  });
}

function layout(body: string): string {
  return `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #1f2933; max-width: 560px; margin: 24px auto;">
${body}
<p style="color: #7b8794; font-size: 12px;">Sent by otp-auth. If this was not you, you can ignore this e-mail.</p>
</body></html>`;
}
