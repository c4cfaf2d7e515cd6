import { createPublicKey, generateKeyPairSync } from 'node:crypto';

/** The asymmetric algorithms otp-auth signs with. */
export type AsymmetricAlgorithm = 'EdDSA' | 'ES256';

/** A key pair as an operator configures it: PKCS#8 private key and SPKI public key, in PEM. */
export interface PemKeyPair {
  privateKey: string;
  publicKey: string;
}

/** A new key pair for `algorithm`, in PEM, as `openssl genpkey` would write it. */
export function newKeyPair(algorithm: AsymmetricAlgorithm): PemKeyPair {
  const { privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKey: createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/**
 * The environment that makes the service sign with `algorithm` and `keys` (HS256: nothing to
 * add, it signs with `JWT_SECRET`). The PEM goes on one line with `\n` escapes, as in a `.env`.
 */
export function signingEnv(
  algorithm: AsymmetricAlgorithm | 'HS256',
  keys: { current?: PemKeyPair; next?: PemKeyPair; previous?: PemKeyPair[] } = {},
): Record<string, string> {
  if (algorithm === 'HS256') return {};
  const oneLine = (pem: string) => pem.trim().replace(/\n/g, '\\n');
  const env: Record<string, string> = {
    JWT_ALGORITHM: algorithm,
    JWT_PRIVATE_KEY: oneLine((keys.current ?? newKeyPair(algorithm)).privateKey),
  };
  if (keys.next) env.JWT_NEXT_PRIVATE_KEY = oneLine(keys.next.privateKey);
  if (keys.previous?.length) {
    env.JWT_PREVIOUS_PUBLIC_KEYS = keys.previous.map((pair) => oneLine(pair.publicKey)).join('\\n');
  }
  return env;
}

/** The decoded header of a JWT, unchecked. */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
