/** Fewer distinct bytes than this is a pattern someone typed, not a random secret. */
const MIN_DISTINCT_BYTES = 8;

/**
 * Words of the placeholders that examples and templates put in a secret's place: a secret
 * holding one was copied, not generated.
 */
const PLACEHOLDER =
  /change[-_ ]?me|replace[-_ ]?me|your[-_ ]?(jwt[-_ ]?)?secret|placeholder|example/i;

/**
 * Why `secret` is trivially guessable although long enough (one character repeated, a short
 * pattern, a placeholder left in), or `undefined` when it looks generated. A hex secret from
 * `openssl rand -hex 32` has about 16 distinct bytes, a base64 one about 25.
 */
export function weakSecretReason(secret: string): string | undefined {
  if (PLACEHOLDER.test(secret)) return 'it holds a placeholder word';
  const distinct = new Set(Buffer.from(secret)).size;
  if (distinct < MIN_DISTINCT_BYTES) {
    return `only ${distinct} distinct byte${distinct === 1 ? '' : 's'}, fewer than ${MIN_DISTINCT_BYTES}`;
  }
  return undefined;
}
