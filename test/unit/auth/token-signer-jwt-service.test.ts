import { Module } from '@nestjs/common';
import { JsonWebTokenError, JwtService, NotBeforeError, TokenExpiredError } from '@nestjs/jwt';
import { Test } from '@nestjs/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnsupportedJwtOptionError } from '../../../src/auth/tokens/jwt-service-options.js';
import { TokenKeyRing } from '../../../src/auth/tokens/token-key-ring.js';
import { TokenSigner, type CompleteToken } from '../../../src/auth/tokens/token-signer.js';
import type { AuthOptions } from '../../../src/config/otp-auth-options.js';
import { OTP_AUTH_OPTIONS } from '../../../src/core/otp-auth-core.module-definition.js';
import { headerOf, newKeyPair } from '../../support/signing-keys.js';
import { testOptions } from '../support/options.js';

function signer(auth: Partial<AuthOptions> = {}): TokenSigner {
  const options = testOptions({ auth });
  return new TokenSigner(new TokenKeyRing(options), options);
}

const eddsa = () =>
  signer({ jwtAlgorithm: 'EdDSA', jwtPrivateKey: newKeyPair('EdDSA').privateKey });

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** `token` with its claims replaced, its header and signature kept. */
function withClaims(token: string, claims: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

function assertUnsupported(action: () => unknown, message: RegExp, what = String(message)): void {
  assert.throws(
    action,
    (error: unknown) => {
      assert.ok(error instanceof UnsupportedJwtOptionError, `${what}: ${String(error)}`);
      assert.match(error.message, message, what);
      return true;
    },
    `${what}: not refused`,
  );
}

describe('TokenSigner under the JwtService interface', () => {
  it('is a JwtService, and Nest builds it as one (the base class declares other constructor tokens)', async () => {
    const options = testOptions();
    @Module({
      providers: [
        { provide: OTP_AUTH_OPTIONS, useValue: options },
        TokenKeyRing,
        TokenSigner,
        { provide: JwtService, useExisting: TokenSigner },
      ],
    })
    class SignerModule {}
    const module = await Test.createTestingModule({ imports: [SignerModule] }).compile();
    const jwt = module.get(JwtService);
    assert.ok(jwt instanceof TokenSigner);
    const token = jwt.sign({ sub: 'user-1' }, { expiresIn: 60 });
    assert.equal(jwt.verify<{ sub: string }>(token).sub, 'user-1');
    await module.close();
  });

  it("signs with jsonwebtoken's meaning of its options: iat added, expiresIn and notBefore from it, subject and jwtid", () => {
    for (const jwt of [signer(), eddsa()]) {
      const before = nowSeconds();
      const token = jwt.sign(
        { token_type: 'access' },
        { subject: 'user-1', jwtid: 'jti-1', expiresIn: '15m', notBefore: 0 },
      );
      const claims = jwt.verify<Record<string, unknown>>(token);
      const iat = claims.iat as number;
      assert.ok(iat >= before && iat <= nowSeconds());
      assert.deepEqual(claims, {
        token_type: 'access',
        iat,
        exp: iat + 900,
        nbf: iat,
        sub: 'user-1',
        jti: 'jti-1',
        iss: 'otp-auth',
        aud: 'otp-auth',
      });
      assert.equal(headerOf(token).kid, headerOf(jwt.sign({ exp: iat + 1 })).kid);
      const stated = { algorithm: headerOf(token).alg, issuer: 'otp-auth', audience: 'otp-auth' };
      assert.ok(jwt.verify(jwt.sign({}, { ...stated, expiresIn: 5 } as never)), 'our own values');
    }
  });

  it('refuses a payload or option that would not give a token of its rules, with a clear error', () => {
    const jwt = signer();
    const exp = nowSeconds() + 60;
    const refused: [string, () => unknown, RegExp][] = [
      ['string payload', () => jwt.sign('text'), /payload must be a JSON object/],
      ['Buffer payload', () => jwt.sign(Buffer.from('{}')), /payload must be a JSON object/],
      ['no expiry', () => jwt.sign({ sub: 'user-1' }), /needs an exp claim or the expiresIn/],
      ['another secret', () => jwt.sign({ exp }, { secret: 'x'.repeat(40) }), /secret is refused/],
      ['another key', () => jwt.sign({ exp }, { privateKey: 'pem' }), /privateKey is refused/],
      [
        'another algorithm',
        () => jwt.sign({ exp }, { algorithm: 'HS512' }),
        /algorithm is always "HS256"/,
      ],
      [
        'another issuer',
        () => jwt.sign({ exp }, { issuer: 'else' }),
        /issuer is always "otp-auth"/,
      ],
      ['issuer claim', () => jwt.sign({ exp, iss: 'else' }), /iss claim is always "otp-auth"/],
      ['a header', () => jwt.sign({ exp }, { header: { alg: 'none' } }), /header is not supported/],
      ['unitless expiresIn', () => jwt.sign({}, { expiresIn: '120' as never }), /expiresIn takes/],
      [
        'sub twice',
        () => jwt.sign({ exp, sub: 'a' }, { subject: 'b' }),
        /sub claim and the subject/,
      ],
    ];
    for (const [what, action, message] of refused) {
      assertUnsupported(action, message, what);
    }
  });

  it("verify throws jsonwebtoken's errors: expired, not yet active, bad signature, malformed", () => {
    for (const jwt of [signer(), eddsa()]) {
      const now = nowSeconds();
      const expired = jwt.sign({ exp: now - 1, iat: now - 60 });
      assert.throws(
        () => jwt.verify(expired),
        (error: unknown) =>
          error instanceof TokenExpiredError && error.expiredAt.getTime() === (now - 1) * 1000,
      );
      assert.throws(
        () => jwt.verify(jwt.sign({ exp: now + 60, nbf: now + 30 })),
        (error: unknown) => error instanceof NotBeforeError,
      );
      const genuine = jwt.sign({ exp: now + 60, sub: 'user-1' });
      const forged = withClaims(genuine, {
        exp: now + 60,
        sub: 'user-2',
        iss: 'otp-auth',
        aud: 'otp-auth',
      });
      assert.throws(() => jwt.verify(forged), {
        name: 'JsonWebTokenError',
        message: 'invalid signature',
      });
      assert.throws(() => jwt.verify('a.b'), {
        name: 'JsonWebTokenError',
        message: 'jwt malformed',
      });
      assert.equal(jwt.verifiedClaims(forged), null, 'the request path returns null');
    }
  });

  it('verify takes the options that add checks, and refuses those that loosen one', () => {
    const jwt = eddsa();
    const token = jwt.sign({ exp: nowSeconds() + 60 }, { subject: 'user-1', jwtid: 'jti-1' });
    assert.equal(
      jwt.verify<{ sub: string }>(token, { subject: 'user-1', jwtid: 'jti-1' }).sub,
      'user-1',
    );
    assert.throws(() => jwt.verify(token, { subject: 'user-2' }), JsonWebTokenError);
    assert.throws(() => jwt.verify(token, { jwtid: 'jti-2' }), JsonWebTokenError);
    assert.throws(() => jwt.verify(token, { algorithms: ['HS256'] }), /invalid algorithm/);
    assert.ok(
      jwt.verify(token, {
        algorithms: ['EdDSA' as never],
        issuer: 'otp-auth',
        audience: ['otp-auth'],
      }),
    );
    const complete = jwt.verify<CompleteToken>(token, { complete: true });
    assert.deepEqual(complete.header, headerOf(token));
    assert.equal(complete.payload.sub, 'user-1');
    assert.equal(complete.signature, token.split('.')[2]);

    const expired = jwt.sign({ exp: nowSeconds() - 1 });
    assertUnsupported(
      () => jwt.verify(expired, { ignoreExpiration: true }),
      /ignoreExpiration is refused/,
    );
    assertUnsupported(
      () => jwt.verify(expired, { clockTolerance: 30 }),
      /clockTolerance is refused/,
    );
    assertUnsupported(
      () => jwt.verify(token, { ignoreNotBefore: true }),
      /ignoreNotBefore is refused/,
    );
    assertUnsupported(() => jwt.verify(token, { secret: 'x'.repeat(40) }), /secret is refused/);
    assertUnsupported(() => jwt.verify(token, { publicKey: 'pem' }), /publicKey is refused/);
    assertUnsupported(() => jwt.verify(token, { audience: 'another' }), /audience is always/);
    assertUnsupported(() => jwt.verify(token, { maxAge: '1h' }), /maxAge is not supported/);
  });

  it('the async forms give the same token and errors as promises (never a synchronous throw)', async () => {
    const jwt = signer();
    const token = await jwt.signAsync({ sub: 'user-1' }, { expiresIn: 60 });
    assert.equal((await jwt.verifyAsync<{ sub: string }>(token)).sub, 'user-1');
    const expired = jwt.sign({ exp: nowSeconds() - 1 });
    await assert.rejects(jwt.verifyAsync(expired), TokenExpiredError);
    await assert.rejects(jwt.signAsync({ sub: 'user-1' }), UnsupportedJwtOptionError);
    await assert.rejects(
      jwt.verifyAsync(token, { ignoreExpiration: true }),
      UnsupportedJwtOptionError,
    );
  });

  it('decode reads without checking anything, and gives null for what is not a JWT', () => {
    const jwt = signer();
    const token = jwt.sign({ exp: nowSeconds() + 60, sub: 'user-1' });
    const forged = withClaims(token, { sub: 'user-2' });
    assert.deepEqual(jwt.decode(forged), { sub: 'user-2' });
    const complete = jwt.decode<CompleteToken>(token, { complete: true });
    assert.deepEqual(complete.header, headerOf(token));
    assert.equal(complete.payload.sub, 'user-1');
    for (const garbage of ['', 'a.b', 'a.b.c', `${token}.d`])
      assert.equal(jwt.decode(garbage), null);
  });
});
