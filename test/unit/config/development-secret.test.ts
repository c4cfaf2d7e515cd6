import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateDevelopmentSecret } from '../../../src/config/development-secret.js';
import { ConfigurationError } from '../../../src/config/environment.js';

const posix = process.platform !== 'win32';
const SECRET = 'my-own-development-secret-of-40-bytes-xx';

/** The one problem line `loadOrCreateDevelopmentSecret(dir)` stops the start with. */
function refusal(dir: string): string {
  let thrown: unknown;
  try {
    loadOrCreateDevelopmentSecret(dir);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof ConfigurationError, `not refused: ${String(thrown)}`);
  assert.equal(thrown.problems.length, 1, thrown.problems.join('\n'));
  return thrown.problems[0];
}

describe('loadOrCreateDevelopmentSecret', () => {
  const root = mkdtempSync(join(tmpdir(), 'otp-auth-secret-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  const freshDir = () => join(root, `case-${++counter}`, 'data');

  it('creates the data directory and a private secret file of at least 32 bytes', () => {
    const dir = freshDir();
    const secret = loadOrCreateDevelopmentSecret(dir);
    assert.ok(Buffer.byteLength(secret) >= 32, `only ${Buffer.byteLength(secret)} bytes`);
    const file = join(dir, 'jwt-secret');
    assert.equal(readFileSync(file, 'utf8').trim(), secret);
    if (process.platform !== 'win32') assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('returns the same secret on the next call, so tokens survive a restart', () => {
    const dir = freshDir();
    const first = loadOrCreateDevelopmentSecret(dir);
    const modified = statSync(join(dir, 'jwt-secret')).mtimeMs;
    assert.equal(loadOrCreateDevelopmentSecret(dir), first);
    assert.equal(statSync(join(dir, 'jwt-secret')).mtimeMs, modified);
  });

  it('gives each data directory its own random secret', () => {
    assert.notEqual(
      loadOrCreateDevelopmentSecret(freshDir()),
      loadOrCreateDevelopmentSecret(freshDir()),
    );
  });

  it('keeps a secret written by hand', () => {
    const dir = freshDir();
    loadOrCreateDevelopmentSecret(dir);
    const mine = 'my-own-development-secret-of-40-bytes-xx';
    writeFileSync(join(dir, 'jwt-secret'), `${mine}\n`);
    assert.equal(loadOrCreateDevelopmentSecret(dir), mine);
  });

  it('replaces a file too short to be a secret', () => {
    const dir = freshDir();
    loadOrCreateDevelopmentSecret(dir);
    writeFileSync(join(dir, 'jwt-secret'), 'short\n');
    const secret = loadOrCreateDevelopmentSecret(dir);
    assert.notEqual(secret, 'short');
    assert.ok(Buffer.byteLength(secret) >= 32);
    assert.equal(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim(), secret);
  });

  it('keeps a replaced secret private too', { skip: process.platform === 'win32' }, () => {
    const dir = freshDir();
    loadOrCreateDevelopmentSecret(dir);
    const file = join(dir, 'jwt-secret');
    writeFileSync(file, 'short\n');
    chmodSync(file, 0o644);
    loadOrCreateDevelopmentSecret(dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  describe(
    'is trusted only when nobody else can change it',
    { skip: !posix && 'POSIX modes' },
    () => {
      /** A data directory holding `SECRET` in its secret file, set up as the case needs. */
      const withSecret = (fileMode = 0o600): { dir: string; file: string } => {
        const dir = freshDir();
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = join(dir, 'jwt-secret');
        writeFileSync(file, `${SECRET}\n`);
        chmodSync(file, fileMode);
        return { dir, file };
      };

      it('creates its directory accessible to this user only', () => {
        const dir = freshDir();
        loadOrCreateDevelopmentSecret(dir);
        assert.equal(statSync(dir).mode & 0o777, 0o700);
      });

      for (const mode of [0o620, 0o602, 0o666]) {
        it(`refuses a file of mode ${mode.toString(8)}, in one line saying how to fix it`, () => {
          const { dir, file } = withSecret(mode);
          const line = refusal(dir);
          assert.match(line, /writable by its group or others/);
          assert.ok(line.includes(`chmod 600 ${file}`), line);
          assert.equal(readFileSync(file, 'utf8').trim(), SECRET, 'the file was changed');
        });
      }

      it('makes a file others may only read private, and keeps its secret', () => {
        const { dir, file } = withSecret(0o644);
        assert.equal(loadOrCreateDevelopmentSecret(dir), SECRET);
        assert.equal(statSync(file).mode & 0o777, 0o600);
      });

      it(
        'refuses a file owned by another user',
        { skip: process.getuid?.() !== 0 && 'giving a file to another user needs root' },
        () => {
          const { dir, file } = withSecret();
          chownSync(file, 65534, 65534);
          assert.match(refusal(dir), /is owned by user 65534, not by this user/);
        },
      );

      it("refuses a symbolic link in the file's place", () => {
        const { dir } = withSecret();
        const linked = freshDir();
        rmSync(join(dir, 'jwt-secret'));
        mkdirSync(linked, { recursive: true });
        writeFileSync(join(linked, 'elsewhere'), `${SECRET}\n`, { mode: 0o600 });
        symlinkSync(join(linked, 'elsewhere'), join(dir, 'jwt-secret'));
        assert.match(refusal(dir), /is a symbolic link/);
      });

      it('refuses a world-writable directory, where anyone could replace the file', () => {
        const { dir } = withSecret();
        chmodSync(dir, 0o777);
        assert.match(refusal(dir), /directory .* is world-writable: chmod o-w/);
      });

      it('takes a world-writable directory with the sticky bit (as /tmp), where nobody else can', () => {
        const { dir } = withSecret();
        chmodSync(dir, 0o1777);
        assert.equal(loadOrCreateDevelopmentSecret(dir), SECRET);
      });
    },
  );
});
