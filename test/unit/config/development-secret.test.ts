import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrCreateDevelopmentSecret } from '../../../src/config/development-secret.js';

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
});
