import { isEmail } from 'class-validator';
import { isDisposableDomain } from './disposable-domains.js';

export const EMAIL_MAX_LENGTH = 254;
const LOCAL_PART_MAX_LENGTH = 64;

/**
 * The checks that need no network: syntax (RFC 5321 lengths, a dotted domain with a real TLD)
 * and the disposable-domain list. Expects a trimmed, lower-cased address.
 */
export function passesOfflineChecks(email: string): boolean {
  if (email.length > EMAIL_MAX_LENGTH) return false;
  const at = email.lastIndexOf('@');
  if (at < 1 || at > LOCAL_PART_MAX_LENGTH) return false;
  // Quoted local parts ("a b"@, "x\r\nBcc: …"@, "v@evil.example,"@) pass isEmail but carry
  // spaces, line breaks, commas and @ into SMTP commands and headers, where parsers disagree:
  // SMTP servers refuse them (a 503 at register, found by fuzzing) or read them differently.
  // RFC 5321 §4.1.2: a host should not define mailboxes that need the quoted form.
  if (email.includes('"')) return false;
  if (
    !isEmail(email, { require_tld: true, allow_ip_domain: false, allow_utf8_local_part: false })
  ) {
    return false;
  }
  return !isDisposableDomain(email.slice(at + 1));
}
