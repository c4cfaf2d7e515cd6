import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
