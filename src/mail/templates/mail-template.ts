import Handlebars from 'handlebars';

/** The one value a reader of an e-mail is meant to copy: a code, a token. */
export interface MailCopyValue {
  /** What it is, as the development outbox labels it ("Verification code"). */
  label: string;
  value: string;
}

/** A rendered e-mail. */
export interface MailContent {
  subject: string;
  text: string;
  html: string;
  /**
   * The value to copy, for the development outbox to set apart with a copy button; it is never
   * sent as such (the bodies already carry it).
   */
  copy?: MailCopyValue;
}

/** The names of the string-valued fields of `T`. */
type StringField<T> = { [K in keyof T]: T[K] extends string ? K : never }[keyof T];

/**
 * Compiles a subject, a plain-text and an HTML body once. The HTML body is escaped by
 * Handlebars, so a name such as `<b>Eve</b>` arrives as text; the text body and the subject are
 * not HTML and are left as they are (line breaks in the subject are removed, so no value can
 * add a mail header). `copy` names the value the reader is meant to copy, if any.
 */
export function defineMailTemplate<T extends object>(parts: {
  subject: string;
  text: string;
  html: string;
  copy?: { label: string; field: StringField<T> };
}): (values: T) => MailContent {
  const subject = Handlebars.compile<T>(parts.subject, { noEscape: true, strict: true });
  const text = Handlebars.compile<T>(parts.text, { noEscape: true, strict: true });
  const html = Handlebars.compile<T>(layout(parts.html), { strict: true });
  const copy = parts.copy;
  return (values) => ({
    subject: subject(values).replace(/[\r\n]+/g, ' '),
    text: text(values),
    html: html(values),
    ...(copy && { copy: { label: copy.label, value: values[copy.field] as string } }),
  });
}

function layout(body: string): string {
  return `<!doctype html>
<html><body style="font-family: system-ui, sans-serif; color: #1f2933; max-width: 560px; margin: 24px auto;">
${body}
<p style="color: #7b8794; font-size: 12px;">Sent by otp-auth. If this was not you, you can ignore this e-mail.</p>
</body></html>`;
}
