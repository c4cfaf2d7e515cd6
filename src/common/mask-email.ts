/**
 * "a***@example.com": the first character of the local part and the domain, enough for the
 * owner to recognise an address in a mail that may be read by someone else, not to learn it.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, Math.min(1, at))}***${email.slice(at)}`;
}
