import { generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join } from 'node:path';
import {
  KeyFormatError,
  readPrivateKey,
  type AsymmetricJwtAlgorithm,
} from '../auth/tokens/token-keys.js';
import { ConfigurationError } from './environment.js';

const SECRET_FILE = 'jwt-secret';
const MIN_SECRET_BYTES = 32;
const GROUP_OR_OTHER_WRITE = 0o022;
const OTHER_WRITE = 0o002;
const STICKY = 0o1000;
/** Windows has no owners and modes to check: Node reports every file as 0o666. */
const POSIX = process.platform !== 'win32';

/**
 * Returns the development signing secret kept in `dataDir`, creating it on first use, so that
 * tokens survive a restart without anyone having to configure a secret. Never used in
 * production, where `JWT_SECRET` is required.
 *
 * Whoever can write the file can sign tokens, so it is trusted only when this user owns it and
 * nobody else may write it, in a directory where nobody else may replace it (a world-writable
 * directory needs the sticky bit, as /tmp has): anything else stops the start with a
 * `ConfigurationError` saying how to fix it. The file is created with mode 0600 and its
 * directory with 0700; a symbolic link in the file's place is not followed.
 */
export function loadOrCreateDevelopmentSecret(dataDir: string): string {
  return loadOrCreatePrivateFile(
    join(dataDir, SECRET_FILE),
    (existing) => Buffer.byteLength(existing.trim()) >= MIN_SECRET_BYTES,
    () => `${randomBytes(48).toString('base64url')}\n`,
  ).trim();
}

/**
 * Returns the development signing key of an asymmetric `JWT_ALGORITHM` (PKCS#8 PEM) kept in
 * `dataDir`, created on first use and trusted on the same terms as the secret above, one file per
 * algorithm. Never used in production, where `JWT_PRIVATE_KEY` is required.
 */
export function loadOrCreateDevelopmentPrivateKey(
  dataDir: string,
  algorithm: AsymmetricJwtAlgorithm,
): string {
  return loadOrCreatePrivateFile(
    join(dataDir, `jwt-${algorithm.toLowerCase()}-key.pem`),
    (existing) => isReadableKey(existing, algorithm),
    () => {
      const { privateKey } =
        algorithm === 'EdDSA'
          ? generateKeyPairSync('ed25519')
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    },
  );
}

function isReadableKey(pem: string, algorithm: AsymmetricJwtAlgorithm): boolean {
  try {
    readPrivateKey(pem, algorithm);
    return true;
  } catch (error) {
    if (error instanceof KeyFormatError) return false;
    throw error;
  }
}

/**
 * Reads `file`, or writes `generate()` into it when it is missing or not `usable`. The file is
 * opened without following a symbolic link, created with mode 0600 in a 0700 directory, and
 * refused unless this user owns it and nobody else may write it or replace it.
 */
function loadOrCreatePrivateFile(
  file: string,
  usable: (existing: string) => boolean,
  generate: () => string,
): string {
  const dataDir = dirname(file);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const directory = statSync(dataDir);
  if (POSIX && (directory.mode & OTHER_WRITE) !== 0 && (directory.mode & STICKY) === 0) {
    throw unsafe(
      `development secret directory ${dataDir}`,
      `is world-writable: chmod o-w ${dataDir}`,
    );
  }
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unusable(file, error);
    // O_EXCL: if another process created it meanwhile, this fails instead of sharing its file.
    fd = openSync(file, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  }
  try {
    refuseUnsafeFile(file, fstatSync(fd));
    const existing = readFileSync(fd, 'utf8');
    // A secret left readable by others is made private: only this user needs it.
    fchmodSync(fd, 0o600);
    if (usable(existing)) return existing;
    const content = generate();
    ftruncateSync(fd, 0);
    writeSync(fd, content, 0);
    return content;
  } finally {
    closeSync(fd);
  }
}

/** Stops the start unless this user owns `file` and nobody else may write it. */
function refuseUnsafeFile(file: string, stats: Stats): void {
  if (!POSIX) return;
  const uid = process.getuid!();
  if (stats.uid !== uid) {
    throw unsafe(
      `development secret ${file}`,
      `is owned by user ${stats.uid}, not by this user (${uid}): remove it`,
    );
  }
  if ((stats.mode & GROUP_OR_OTHER_WRITE) !== 0) {
    const mode = (stats.mode & 0o777).toString(8);
    throw unsafe(
      `development secret ${file}`,
      `is writable by its group or others (mode ${mode}): chmod 600 ${file}`,
    );
  }
}

function unsafe(subject: string, problem: string): ConfigurationError {
  return new ConfigurationError([
    `${subject} ${problem} (whoever can change the secret can sign tokens)`,
  ]);
}

function unusable(file: string, error: unknown): ConfigurationError {
  const code = (error as NodeJS.ErrnoException).code;
  return new ConfigurationError([
    code === 'ELOOP'
      ? `development secret ${file} is a symbolic link: replace it with a file of its own`
      : `development secret ${file} cannot be opened (${code ?? String(error)})`,
  ]);
}
