import {
  JWT_ALGORITHMS,
  KeyFormatError,
  readPrivateKey,
  readPublicKeys,
  type AsymmetricJwtAlgorithm,
  type JwtAlgorithm,
} from '../auth/tokens/token-keys.js';
import type { AuthOptions } from './otp-auth-options.js';

/** What the JWT key settings need of the environment reader. */
export interface KeyEnvironment {
  raw(name: string): string | undefined;
  readonly problems: string[];
}

/** The signing settings of {@link AuthOptions}, from `JWT_ALGORITHM` and the key variables. */
export type JwtKeyOptions = Pick<
  AuthOptions,
  'jwtAlgorithm' | 'jwtPrivateKey' | 'jwtNextPrivateKey' | 'jwtPreviousPublicKeys'
>;

/**
 * Reads `JWT_ALGORITHM`, `JWT_PRIVATE_KEY`, `JWT_NEXT_PRIVATE_KEY` and `JWT_PREVIOUS_PUBLIC_KEYS`,
 * checking each key (PEM, PKCS#8, of the type the algorithm needs) so that a bad key stops
 * startup with one line, not the first request. A missing private key is a problem in
 * production, or when the caller cannot supply a development one (kept in the data directory).
 */
export function readJwtKeyOptions(
  env: KeyEnvironment,
  production: boolean,
  developmentKeyAvailable: boolean,
): JwtKeyOptions {
  const raw = env.raw('JWT_ALGORITHM') ?? 'HS256';
  const algorithm = JWT_ALGORITHMS.find((name) => name.toLowerCase() === raw.toLowerCase());
  if (!algorithm) {
    env.problems.push(`JWT_ALGORITHM must be one of ${JWT_ALGORITHMS.join(', ')} (got "${raw}")`);
    return { jwtAlgorithm: 'HS256' };
  }
  const next = env.raw('JWT_NEXT_PRIVATE_KEY');
  const previous = env.raw('JWT_PREVIOUS_PUBLIC_KEYS');
  if (algorithm === 'HS256') {
    for (const name of ['JWT_PRIVATE_KEY', 'JWT_NEXT_PRIVATE_KEY', 'JWT_PREVIOUS_PUBLIC_KEYS']) {
      if (env.raw(name) !== undefined) {
        env.problems.push(
          `${name} needs JWT_ALGORITHM=EdDSA or ES256 (HS256 signs with JWT_SECRET)`,
        );
      }
    }
    return { jwtAlgorithm: algorithm };
  }
  const key = env.raw('JWT_PRIVATE_KEY');
  if (key === undefined && (production || !developmentKeyAvailable)) {
    env.problems.push(
      `JWT_PRIVATE_KEY is required ${production ? 'when NODE_ENV=production and' : 'with'} JWT_ALGORITHM=${algorithm}`,
    );
  }
  const check = (name: string, value: string | undefined, read: (value: string) => unknown) => {
    if (value === undefined) return;
    try {
      read(value);
    } catch (error) {
      if (!(error instanceof KeyFormatError)) throw error;
      env.problems.push(`${name} ${error.message}`);
    }
  };
  const privateKey = (value: string) => readPrivateKey(value, algorithm);
  check('JWT_PRIVATE_KEY', key, privateKey);
  check('JWT_NEXT_PRIVATE_KEY', next, privateKey);
  check('JWT_PREVIOUS_PUBLIC_KEYS', previous, readPublicKeys);
  return {
    jwtAlgorithm: algorithm,
    jwtPrivateKey: key,
    jwtNextPrivateKey: next,
    jwtPreviousPublicKeys: previous === undefined ? undefined : [previous],
  };
}

/** Whether tokens are signed with a private key (whose public half is published). */
export function isAsymmetric(
  algorithm: JwtAlgorithm | undefined,
): algorithm is AsymmetricJwtAlgorithm {
  return algorithm === 'EdDSA' || algorithm === 'ES256';
}
