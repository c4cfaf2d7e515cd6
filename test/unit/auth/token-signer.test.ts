import jwt from 'jsonwebtoken';
import assert from 'node:assert/strict';
import { createHmac, createPublicKey, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { TokenKeyRing } from '../../../src/auth/tokens/token-key-ring.js';
import { thumbprintOf } from '../../../src/auth/tokens/token-keys.js';
import { TokenSigner, type JsonObject } from '../../../src/auth/tokens/token-signer.js';
import type { AuthOptions } from '../../../src/config/otp-auth-options.js';
import {
  headerOf,
  newKeyPair,
  type AsymmetricAlgorithm,
  type PemKeyPair,
} from '../../support/signing-keys.js';
import { testOptions } from '../support/options.js';

const SECRET = testOptions().auth.jwtSecret;

function signer(auth: Partial<AuthOptions> = {}): TokenSigner {
  const options = testOptions({ auth });
  return new TokenSigner(new TokenKeyRing(options), options);
}

function asymmetric(
  alg: AsymmetricAlgorithm,
  current: PemKeyPair,
  rotation: { next?: PemKeyPair; previous?: PemKeyPair[] } = {},
): TokenSigner {
  return signer({
    jwtAlgorithm: alg,
    jwtPrivateKey: current.privateKey,
    jwtNextPrivateKey: rotation.next?.privateKey,
    jwtPreviousPublicKeys: rotation.previous?.map((pair) => pair.publicKey),
  });
}

function claims(changes: JsonObject = {}): JsonObject {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'user-1',
    jti: 'jti-1',
    token_type: 'access',
    iat: now,
    exp: now + 600,
    ...changes,
  };
}

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token of `header` and `payload`, HMAC-SHA256 signed with `key`. */
function hmacToken(header: JsonObject, payload: JsonObject, key: string | Buffer): string {
  const input = `${part(header)}.${part(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

/** `token` with its claims changed and signed again with `pair`'s private key, header kept. */
function resigned(token: string, pair: PemKeyPair, alg: AsymmetricAlgorithm, changes: JsonObject) {
  const [header, payload] = token.split('.');
  const body = { ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as JsonObject) };
  Object.assign(body, changes);
  const input = `${header}.${part(body)}`;
  const key =
    alg === 'EdDSA'
      ? pair.privateKey
      : { key: pair.privateKey, dsaEncoding: 'ieee-p1363' as const };
  const signature = sign(alg === 'EdDSA' ? null : 'sha256', Buffer.from(input), key);
  return `${input}.${signature.toString('base64url')}`;
}

describe('TokenSigner', () => {
  describe('HS256 (the default)', () => {
    it('signs with a kid and verifies what it signed, with issuer and audience', () => {
      const hs = signer();
      const token = hs.sign(claims());
      assert.deepEqual(Object.keys(headerOf(token)), ['alg', 'typ', 'kid']);
      assert.equal(headerOf(token).alg, 'HS256');
      const verified = hs.verifiedClaims(token);
      assert.equal(verified?.sub, 'user-1');
      assert.equal(verified?.iss, 'otp-auth');
      assert.equal(verified?.aud, 'otp-auth');
    });

    it('accepts a token jsonwebtoken signed before kids existed, and only with the same secret', () => {
      const old = jwt.sign(claims(), SECRET, {
        algorithm: 'HS256',
        issuer: 'otp-auth',
        audience: 'otp-auth',
      });
      assert.equal(headerOf(old).kid, undefined);
      assert.equal(signer().verifiedClaims(old)?.sub, 'user-1');
      assert.equal(
        signer({ jwtSecret: 'another-secret-0123456789abcdefghijkl' }).verifiedClaims(old),
        null,
      );
    });

    it('checks a header once per spelling: a refused header stays refused, many valid spellings all verify', () => {
      const hs = signer();
      const header = headerOf(hs.sign(claims()));
      const body = { ...claims(), iss: 'otp-auth', aud: 'otp-auth' };
      const spellings = Array.from({ length: 40 }, (_, n) => ({ ...header, [`x${n}`]: n }));
      for (let round = 0; round < 2; round++) {
        for (const spelling of spellings) {
          assert.equal(hs.verifiedClaims(hmacToken(spelling, body, SECRET))?.sub, 'user-1');
        }
        const crit = hmacToken({ ...header, crit: ['exp'] }, body, SECRET);
        assert.equal(hs.verifiedClaims(crit), null, `round ${round}: crit`);
        const wrongKey = hmacToken(header, body, 'another-secret-0123456789abcdefghijkl');
        assert.equal(
          hs.verifiedClaims(wrongKey),
          null,
          `round ${round}: a known header, a wrong MAC`,
        );
      }
    });

    it('refuses alg none, HS384, another kid, crit, a typ other than JWT, and a non-canonical signature', () => {
      const hs = signer();
      const token = hs.sign(claims());
      const header = headerOf(token);
      const payload = token.split('.')[1];
      const body = { ...claims(), iss: 'otp-auth', aud: 'otp-auth' };
      const refused: [string, string][] = [
        ['alg none', `${part({ ...header, alg: 'none' })}.${payload}.`],
        ['HS384 header', hmacToken({ ...header, alg: 'HS384' }, body, SECRET)],
        ['an unknown kid', hmacToken({ ...header, kid: 'other' }, body, SECRET)],
        ['a kid that is not a string', hmacToken({ ...header, kid: 1 }, body, SECRET)],
        ['crit', hmacToken({ ...header, crit: ['exp'] }, body, SECRET)],
        ['typ at+jwt', hmacToken({ ...header, typ: 'at+jwt' }, body, SECRET)],
        ['a padded signature', `${token}=`],
      ];
      assert.notEqual(hs.verifiedClaims(hmacToken(header, body, SECRET)), null, 'the control');
      for (const [what, forged] of refused) assert.equal(hs.verifiedClaims(forged), null, what);
    });

    it('refuses expired, not yet valid, foreign issuer or audience, and a claims array', () => {
      const hs = signer();
      const header = headerOf(hs.sign(claims()));
      const now = Math.floor(Date.now() / 1000);
      const base = { ...claims(), iss: 'otp-auth', aud: 'otp-auth' };
      const cases: [string, unknown][] = [
        ['exp now', { ...base, exp: now }],
        ['no exp', { ...base, exp: undefined }],
        ['exp a string', { ...base, exp: String(now + 60) }],
        ['nbf ahead', { ...base, nbf: now + 60 }],
        ['iat a string', { ...base, iat: 'now' }],
        ['iss', { ...base, iss: 'someone' }],
        ['aud', { ...base, aud: 'someone' }],
        ['an array', ['x']],
      ];
      assert.notEqual(
        hs.verifiedClaims(hmacToken(header, { ...base, nbf: now, aud: ['x', 'otp-auth'] }, SECRET)),
        null,
      );
      for (const [what, payload] of cases) {
        assert.equal(
          hs.verifiedClaims(hmacToken(header, payload as JsonObject, SECRET)),
          null,
          what,
        );
      }
    });
  });

  for (const alg of ['EdDSA', 'ES256'] as const) {
    describe(alg, () => {
      const current = newKeyPair(alg);

      it('signs with the RFC 7638 thumbprint of the public key as kid, and verifies', () => {
        const token = asymmetric(alg, current).sign(claims());
        const header = headerOf(token);
        assert.equal(header.alg, alg);
        assert.equal(header.kid, thumbprintOf(createPublicKey(current.publicKey)));
        assert.equal(asymmetric(alg, current).verifiedClaims(token)?.sub, 'user-1');
      });

      it('refuses a token signed with another key under the same kid, or naming no kid', () => {
        const ours = asymmetric(alg, current);
        const token = ours.sign(claims());
        const attacker = newKeyPair(alg);
        assert.equal(
          ours.verifiedClaims(resigned(token, attacker, alg, {})),
          null,
          "attacker's key",
        );
        assert.notEqual(
          ours.verifiedClaims(resigned(token, current, alg, {})),
          null,
          'the control',
        );
        const [, payload, signature] = token.split('.');
        const noKid = `${part({ alg, typ: 'JWT' })}.${payload}.${signature}`;
        assert.equal(ours.verifiedClaims(noKid), null, 'no kid');
      });

      it('refuses HS256 keyed with the public key (algorithm confusion), with and without the kid', () => {
        const ours = asymmetric(alg, current);
        const token = ours.sign(claims());
        const header = headerOf(token);
        const body = JSON.parse(
          Buffer.from(token.split('.')[1], 'base64url').toString(),
        ) as JsonObject;
        const der = createPublicKey(current.publicKey).export({ format: 'der', type: 'spki' });
        for (const key of [current.publicKey, current.publicKey.trim(), der]) {
          assert.equal(
            ours.verifiedClaims(hmacToken({ ...header, alg: 'HS256' }, body, key)),
            null,
          );
          assert.equal(
            ours.verifiedClaims(hmacToken({ alg: 'HS256', typ: 'JWT' }, body, key)),
            null,
          );
        }
        assert.equal(
          ours.verifiedClaims(hmacToken({ alg: 'HS256', typ: 'JWT' }, body, SECRET)),
          null,
          'JWT_SECRET',
        );
      });

      it('refuses the other asymmetric algorithm under our kid', () => {
        const ours = asymmetric(alg, current);
        const token = ours.sign(claims());
        const other = alg === 'EdDSA' ? 'ES256' : 'EdDSA';
        const [, payload, signature] = token.split('.');
        const header = { ...headerOf(token), alg: other };
        assert.equal(ours.verifiedClaims(`${part(header)}.${payload}.${signature}`), null);
      });

      it('rotation: the next key is accepted before it signs, the previous one until it is retired', () => {
        const next = newKeyPair(alg);
        const before = asymmetric(alg, current, { next });
        const fromCurrent = before.sign(claims());
        const fromNext = asymmetric(alg, next).sign(claims());
        assert.notEqual(
          before.verifiedClaims(fromNext),
          null,
          'the standby key verifies before it signs',
        );

        const after = asymmetric(alg, next, { previous: [current] });
        assert.equal(headerOf(after.sign(claims())).kid, headerOf(fromNext).kid);
        assert.notEqual(after.verifiedClaims(fromCurrent), null, 'a token of the previous key');

        const retired = asymmetric(alg, next);
        assert.equal(retired.verifiedClaims(fromCurrent), null, 'a token of a retired key');
      });
    });
  }

  it('pins the algorithm per key: an ES256 previous key keeps verifying ES256 after a move to EdDSA', () => {
    const es = newKeyPair('ES256');
    const ed = newKeyPair('EdDSA');
    const old = asymmetric('ES256', es).sign(claims());
    const moved = asymmetric('EdDSA', ed, { previous: [es] });
    assert.notEqual(moved.verifiedClaims(old), null);
    const [, payload, signature] = old.split('.');
    assert.equal(
      moved.verifiedClaims(`${part({ ...headerOf(old), alg: 'EdDSA' })}.${payload}.${signature}`),
      null,
    );
  });

  it('the kid of an Ed25519 key is its RFC 7638 thumbprint (the example of RFC 8037 §A.3)', () => {
    const key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' },
      format: 'jwk',
    });
    assert.equal(thumbprintOf(key), 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('the key ring refuses a key of the wrong type and rotation keys with HS256', () => {
    assert.throws(
      () => asymmetric('EdDSA', newKeyPair('ES256')),
      /auth\.jwtPrivateKey is an ec \(prime256v1\) key, but JWT_ALGORITHM=EdDSA needs an Ed25519 key/,
    );
    assert.throws(
      () => signer({ jwtPreviousPublicKeys: [newKeyPair('EdDSA').publicKey] }),
      /rotation/,
    );
  });
});
