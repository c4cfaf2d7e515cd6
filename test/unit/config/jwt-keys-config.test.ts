import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadOrCreateDevelopmentPrivateKey } from '../../../src/config/development-secret.js';
import {
  ConfigurationError,
  parseEnvironment,
  type Environment,
  type ParseEnvironmentHooks,
} from '../../../src/config/environment.js';
import { newKeyPair, signingEnv } from '../../support/signing-keys.js';

const PRODUCTION = {
  NODE_ENV: 'production',
  JWT_SECRET: 'production-secret-for-the-signing-tests-0123456789',
  MAIL_URL: 'smtp://mail:25',
  APP_URL: 'https://auth.example.com',
};
const GENERATED_KEY = 'generated-development-key';

const hooks: ParseEnvironmentHooks = {
  developmentSecret: () => 'generated-development-secret-0123456789abcdef',
  developmentPrivateKey: () => GENERATED_KEY,
};

function problemsOf(env: Environment): string[] {
  try {
    parseEnvironment(env, hooks);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.problems;
    throw error;
  }
  assert.fail(`no ConfigurationError for ${Object.keys(env).join(', ')}`);
}

describe('JWT signing configuration', () => {
  it('defaults to HS256 with no key options', () => {
    const auth = parseEnvironment({}, hooks).otpAuth.auth;
    assert.equal(auth.jwtAlgorithm, 'HS256');
    assert.equal(auth.jwtPrivateKey, undefined);
  });

  it('takes EdDSA and ES256 keys as PEM with \\n escapes, and the rotation keys', () => {
    for (const alg of ['EdDSA', 'ES256'] as const) {
      const current = newKeyPair(alg);
      const env = signingEnv(alg, {
        current,
        next: newKeyPair(alg),
        previous: [newKeyPair(alg), newKeyPair(alg)],
      });
      assert.ok(env.JWT_PRIVATE_KEY.includes('\\n') && !env.JWT_PRIVATE_KEY.includes('\n'));
      const auth = parseEnvironment({ ...PRODUCTION, ...env }, hooks).otpAuth.auth;
      assert.equal(auth.jwtAlgorithm, alg);
      assert.equal(auth.jwtPrivateKey, env.JWT_PRIVATE_KEY);
      assert.equal(auth.jwtNextPrivateKey, env.JWT_NEXT_PRIVATE_KEY);
      assert.deepEqual(auth.jwtPreviousPublicKeys, [env.JWT_PREVIOUS_PUBLIC_KEYS]);
    }
  });

  it('in production, refuses an asymmetric algorithm without JWT_PRIVATE_KEY with one clear line', () => {
    assert.deepEqual(problemsOf({ ...PRODUCTION, JWT_ALGORITHM: 'EdDSA' }), [
      'JWT_PRIVATE_KEY is required when NODE_ENV=production and JWT_ALGORITHM=EdDSA',
    ]);
  });

  it('in development, asks the hook for a key kept in the data directory', () => {
    const auth = parseEnvironment({ JWT_ALGORITHM: 'ES256' }, hooks).otpAuth.auth;
    assert.equal(auth.jwtPrivateKey, GENERATED_KEY);
  });

  it('refuses an unknown algorithm, naming the accepted ones', () => {
    assert.deepEqual(problemsOf({ JWT_ALGORITHM: 'RS256' }), [
      'JWT_ALGORITHM must be one of HS256, EdDSA, ES256 (got "RS256")',
    ]);
  });

  it('refuses a bad PEM, an SEC1 or encrypted key, and a key of another type, one line each', () => {
    const ec = newKeyPair('ES256');
    const sec1 = '-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIA==\\n-----END EC PRIVATE KEY-----';
    const damaged = newKeyPair('EdDSA').privateKey.replace(/\n[A-Za-z0-9+/]{8}/, '\n!!!!!!!!');
    const cases: [Environment, string][] = [
      [
        { JWT_PRIVATE_KEY: 'not a pem' },
        'JWT_PRIVATE_KEY must be an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")',
      ],
      [
        { JWT_PRIVATE_KEY: sec1 },
        'JWT_PRIVATE_KEY must be an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")',
      ],
      [{ JWT_PRIVATE_KEY: damaged }, 'JWT_PRIVATE_KEY is not a readable PEM private key'],
      [
        { JWT_PRIVATE_KEY: ec.privateKey },
        'JWT_PRIVATE_KEY is an ec (prime256v1) key, but JWT_ALGORITHM=EdDSA needs an Ed25519 key',
      ],
      [
        { JWT_NEXT_PRIVATE_KEY: ec.privateKey },
        'JWT_NEXT_PRIVATE_KEY is an ec (prime256v1) key, but JWT_ALGORITHM=EdDSA needs an Ed25519 key',
      ],
      [
        { JWT_PREVIOUS_PUBLIC_KEYS: ec.privateKey },
        'JWT_PREVIOUS_PUBLIC_KEYS key 1 is not a PEM public key ("BEGIN PUBLIC KEY")',
      ],
      [
        { JWT_PREVIOUS_PUBLIC_KEYS: 'x' },
        'JWT_PREVIOUS_PUBLIC_KEYS must hold one or more PEM public keys ("-----BEGIN PUBLIC KEY-----")',
      ],
    ];
    for (const [env, line] of cases) {
      const base = env.JWT_PRIVATE_KEY ? {} : { JWT_PRIVATE_KEY: newKeyPair('EdDSA').privateKey };
      assert.deepEqual(problemsOf({ ...PRODUCTION, JWT_ALGORITHM: 'EdDSA', ...base, ...env }), [
        line,
      ]);
    }
    const es = problemsOf({
      ...PRODUCTION,
      ...signingEnv('ES256', { current: newKeyPair('EdDSA') }),
    });
    assert.deepEqual(es, [
      'JWT_PRIVATE_KEY is an ed25519 key, but JWT_ALGORITHM=ES256 needs an EC P-256 key',
    ]);
  });

  it('refuses key variables with HS256, where they would do nothing', () => {
    assert.deepEqual(problemsOf({ JWT_PREVIOUS_PUBLIC_KEYS: newKeyPair('EdDSA').publicKey }), [
      'JWT_PREVIOUS_PUBLIC_KEYS needs JWT_ALGORITHM=EdDSA or ES256 (HS256 signs with JWT_SECRET)',
    ]);
  });

  it('the development key is generated once, kept with mode 0600, and reused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-auth-dev-key-'));
    try {
      const first = loadOrCreateDevelopmentPrivateKey(dir, 'EdDSA');
      const file = join(dir, 'jwt-eddsa-key.pem');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(loadOrCreateDevelopmentPrivateKey(dir, 'EdDSA'), first);
      assert.equal(readFileSync(file, 'utf8'), first);
      assert.notEqual(loadOrCreateDevelopmentPrivateKey(dir, 'ES256'), first);
      assert.match(first, /^-----BEGIN PRIVATE KEY-----/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
