import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KeyFormatError,
  readPrivateKey,
  type AsymmetricJwtAlgorithm,
} from '../auth/tokens/token-keys.js';

const SECRET_FILE = 'jwt-secret';

/**
 * Returns the development signing secret kept in `dataDir`, creating it on first use, so that
 * tokens survive a restart without anyone having to configure a secret. Never used in
 * production, where `JWT_SECRET` is required.
 */
export function loadOrCreateDevelopmentSecret(dataDir: string): string {
  const file = join(dataDir, SECRET_FILE);
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (Buffer.byteLength(existing) >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  // `mode` applies only when the file is created; a short secret left behind keeps its own.
  chmodSync(file, 0o600);
  return secret;
}

/**
 * Returns the development signing key of an asymmetric `JWT_ALGORITHM` (PKCS#8 PEM) kept in
 * `dataDir`, creating it on first use like the secret above, one file per algorithm. Never used
 * in production, where `JWT_PRIVATE_KEY` is required.
 */
export function loadOrCreateDevelopmentPrivateKey(
  dataDir: string,
  algorithm: AsymmetricJwtAlgorithm,
): string {
  const file = join(dataDir, `jwt-${algorithm.toLowerCase()}-key.pem`);
  try {
    const existing = readFileSync(file, 'utf8');
    readPrivateKey(existing, algorithm);
    return existing;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing && !(error instanceof KeyFormatError)) throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } =
    algorithm === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  chmodSync(file, 0o600);
  return pem;
}
