import type { FuzzCase } from './fuzz-values.js';

const json = 'application/json';

/** A case replacing one field of an endpoint's well-formed body. */
function replace(field: string, value: unknown): FuzzCase {
  return { recipe: { kind: 'replace', field, value }, contentType: json };
}

/** A case sending `field` a second time, after the well-formed one (the last one wins). */
function duplicate(field: string, value: unknown): FuzzCase {
  return { recipe: { kind: 'duplicate', field, value, before: false }, contentType: json };
}

/**
 * Cases that once failed, per endpoint, exactly as fast-check reported them (or, where marked,
 * as found by hand while looking at what a fuzz failure meant). Every fuzz property tries them
 * before its generated runs, and `fuzz-regressions.test.ts` checks each one's exact answer.
 * Add a case here whenever a fuzz run finds one (the report prints it as `Counterexample`).
 */
const KEPT: Record<string, FuzzCase[]> = {
  register: [
    // 500: validator's isEmail threw "URI malformed" on a lone surrogate (its byte-length check
    // calls encodeURI). Seed 1377287653, path 863:1. Fixed in email-field.decorator.ts.
    replace('email', '\ud800'),
    // 503 "Could not send the verification email": a quoted local part passed the syntax checks
    // and the SMTP server refused the recipient. Found while reading the address parser behind
    // the case above. Fixed in offline-email-checks.ts.
    replace('email', '"a b"@example.com'),
    replace('email', '"eve@example.net,"@example.com'),
  ],
  // 500, the lone-surrogate bug above. Seed 1377287653, paths 369:1 (confirm, verify) and 45.
  'confirm-otp': [duplicate('email', '\udfff')],
  'verify-otp': [duplicate('email', '\udfff')],
  'resend-otp': [duplicate('email', '\ud800')],
  // The same validator is on these; the runs that found it did not happen to reach them.
  login: [replace('email', 'ada\ud83d@example.com')],
  'forgot-password': [replace('email', '\udbff@example.com')],
  'PATCH me': [
    // Read back as U+FFFD, not as sent: the databases store a lone surrogate as the
    // replacement character. Found on PostgreSQL with FUZZ_DATABASE_URL (SQLite does the same).
    duplicate('full_name', '\ud800'),
    // 500 on PostgreSQL ("invalid byte sequence for encoding UTF8: 0x00"); found by hand after
    // the case above, on the same field. Fixed by storable-text.decorator.ts.
    replace('full_name', 'Eve\u0000'),
  ],
};

/** The kept cases of an endpoint. */
export function keptCases(endpoint: string): FuzzCase[] {
  return KEPT[endpoint] ?? [];
}
