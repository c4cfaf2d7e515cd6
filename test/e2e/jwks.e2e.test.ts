import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  loggedInAccount,
  meStatus,
  Messages,
  Paths,
  rotate,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import {
  headerOf,
  newKeyPair,
  signingEnv,
  type AsymmetricAlgorithm,
} from '../support/signing-keys.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const JWKS = '/.well-known/jwks.json';

interface Jwk {
  kty: string;
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: string;
  use: string;
  d?: string;
}

/** Verifies `token`'s signature with the JWK its `kid` names in `keys`, as a third party would. */
function verifiesWith(keys: Jwk[], token: string): boolean {
  const { kid, alg } = headerOf(token);
  const jwk = keys.find((key) => key.kid === kid);
  if (!jwk || jwk.alg !== alg) return false;
  const key = createPublicKey({
    key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    format: 'jwk',
  });
  const [header, payload, signature] = token.split('.');
  const input = Buffer.from(`${header}.${payload}`);
  const bytes = Buffer.from(signature, 'base64url');
  return alg === 'EdDSA'
    ? verify(null, input, key, bytes)
    : verify('sha256', input, { key, dsaEncoding: 'ieee-p1363' }, bytes);
}

describe('GET /.well-known/jwks.json with HS256 (the default)', () => {
  let app: TestApp;
  before(async () => {
    app = await TestApp.start();
  });
  after(async () => {
    await app.close();
  });

  it('answers 404 in the error shape: a secret is never published', async () => {
    for (const path of [JWKS, `${JWKS}/`]) {
      const response = await app.get(path);
      assertError(response, 404);
      assert.notEqual(response.headers.get('cache-control'), 'public, max-age=300');
      assert.ok(!response.text.includes('"k"'), response.text);
    }
  });
});

for (const alg of ['EdDSA', 'ES256'] as const satisfies AsymmetricAlgorithm[]) {
  describe(`JWT_ALGORITHM=${alg}`, () => {
    const current = newKeyPair(alg);
    const next = newKeyPair(alg);
    const previous = newKeyPair(alg);
    let smtp: SmtpSink;
    let app: TestApp;

    before(async () => {
      smtp = await new SmtpSink().start();
      app = await TestApp.start(
        sessionEnv(smtp, signingEnv(alg, { current, next, previous: [previous] })),
      );
    });
    after(async () => {
      assertCleanLogs(app);
      await app.close();
      await smtp.stop();
    });

    it('publishes the current, next and previous public keys with kid, alg and use, cacheable for 5 minutes', async () => {
      const response = await app.get<{ keys: Jwk[] }>(JWKS);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const { keys } = response.body;
      assert.equal(keys.length, 3);
      for (const key of keys) {
        assert.equal(key.alg, alg);
        assert.equal(key.use, 'sig');
        assert.equal(key.d, undefined, 'a private key part is published');
        assert.equal(key.kty, alg === 'EdDSA' ? 'OKP' : 'EC');
      }
      const published = keys.map((key) =>
        createPublicKey({ key: { kty: key.kty, crv: key.crv, x: key.x, y: key.y }, format: 'jwk' })
          .export({ format: 'pem', type: 'spki' })
          .toString(),
      );
      assert.deepEqual(published, [current.publicKey, next.publicKey, previous.publicKey]);
      assert.equal(new Set(keys.map((key) => key.kid)).size, 3);
    });

    it('login → me → refresh → logout: every token names the current key and verifies with the JWKS alone', async () => {
      const { keys } = (await app.get<{ keys: Jwk[] }>(JWKS)).body;
      const account = await loggedInAccount(app, smtp, { fullName: 'Edwina Dsa' });
      const first = account.tokens;
      for (const token of [first.access, first.refresh]) {
        assert.deepEqual(headerOf(token), { alg, typ: 'JWT', kid: keys[0].kid });
        assert.ok(verifiesWith(keys, token), 'a token the JWKS does not verify');
      }
      const me = await app.get<SessionBody>(Paths.me, { token: first.access });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.email, account.email);

      const second = await rotate(app, first.refresh);
      assert.ok(verifiesWith(keys, second.access) && verifiesWith(keys, second.refresh));
      assert.equal(await meStatus(app, second.access), 200);

      const logout = await app.post<SessionBody>(
        Paths.logout,
        { refresh_token: second.refresh },
        { token: second.access },
      );
      assert.deepEqual([logout.status, logout.body], [200, { message: Messages.loggedOut }]);
      await assertAccessRefused(app, second.access, 'the access token of a logged-out session');
      await assertRefreshRefused(app, second.refresh, 'a logged-out refresh token');
    });
  });
}

describe('key rotation across a restart', () => {
  for (const alg of ['EdDSA', 'ES256'] as const satisfies AsymmetricAlgorithm[]) {
    it(`${alg}: the standby key signs after the switch, the old tokens keep working until the old key is retired`, async () => {
      const smtp = await new SmtpSink().start();
      const [old, standby] = [newKeyPair(alg), newKeyPair(alg)];
      let app = await TestApp.start(
        sessionEnv(smtp, signingEnv(alg, { current: old, next: standby })),
      );
      try {
        const account = await loggedInAccount(app, smtp);
        await app.close({ keepData: true });

        // The switch: the standby key signs, the old one is kept for verification only.
        app = await TestApp.start(
          sessionEnv(smtp, signingEnv(alg, { current: standby, previous: [old] })),
          {
            storage: app.storage,
          },
        );
        const { keys } = (await app.get<{ keys: Jwk[] }>(JWKS)).body;
        assert.equal(keys.length, 2);
        assert.equal(
          (await app.get<SessionBody>(Paths.me, { token: account.tokens.access })).status,
          200,
        );
        const rotated = await rotate(app, account.tokens.refresh);
        assert.equal(headerOf(rotated.access).kid, keys[0].kid, 'new tokens use the new key');
        assert.notEqual(headerOf(account.tokens.access).kid, keys[0].kid);
        await app.close({ keepData: true });

        // The old key retired: its tokens are refused, the new key's work.
        app = await TestApp.start(sessionEnv(smtp, signingEnv(alg, { current: standby })), {
          storage: app.storage,
        });
        await assertAccessRefused(app, account.tokens.access, "a retired key's access token");
        assert.equal((await app.get<SessionBody>(Paths.me, { token: rotated.access })).status, 200);
      } finally {
        await app.close();
        await smtp.stop();
      }
    });
  }
});
