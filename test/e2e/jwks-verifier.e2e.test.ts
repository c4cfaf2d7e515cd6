import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { asymmetricSigner, decodePart } from '../adversarial/support/jwt-forgery.js';
import {
  JwksVerifierService,
  type JwksVerifierOptions,
  type VerifierBody,
} from '../support/jwks-verifier-service.js';
import {
  assertCleanLogs,
  loggedInAccount,
  Paths,
  rotate,
  sessionEnv,
  tampered,
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

const JWKS_PATH = '/.well-known/jwks.json';
/** How long the short-lived verifier caches the key set: the test waits this long, once. */
const SHORT_CACHE_MS = 1000;
const TEN_MINUTES_MS = 600_000;

/** What the second service is told of otp-auth: the JWKS URL, issuer, audience, algorithm. */
function verifierOptions(
  app: TestApp,
  alg: AsymmetricAlgorithm,
  cacheMs = TEN_MINUTES_MS,
): JwksVerifierOptions {
  return {
    jwksUrl: new URL(JWKS_PATH, app.baseUrl),
    issuer: 'otp-auth',
    audience: 'otp-auth',
    algorithms: [alg],
    cacheMaxAge: cacheMs,
    cooldownDuration: cacheMs,
  };
}

async function assertAccepted(
  verifier: JwksVerifierService,
  token: string,
  sub: string,
  what: string,
) {
  const response = await verifier.protectedRoute(token);
  assert.equal(response.status, 200, `${what}: ${response.text}`);
  assert.deepEqual(response.body, { sub } satisfies VerifierBody);
}

async function assertRefused(
  verifier: JwksVerifierService,
  token: string,
  reason: string,
  what: string,
) {
  const response = await verifier.protectedRoute(token);
  assert.equal(response.status, 401, `${what} accepted: ${response.text}`);
  assert.equal(response.body.reason, reason, what);
}

for (const alg of ['EdDSA', 'ES256'] as const satisfies AsymmetricAlgorithm[]) {
  describe(`a second service verifies ${alg} access tokens from the JWKS alone`, () => {
    let smtp: SmtpSink;
    let app: TestApp;
    let verifier: JwksVerifierService;

    before(async () => {
      smtp = await new SmtpSink().start();
      app = await TestApp.start(sessionEnv(smtp, signingEnv(alg)));
      verifier = await JwksVerifierService.start(verifierOptions(app, alg));
    });
    after(async () => {
      await verifier.close();
      assertCleanLogs(app);
      await app.close();
      await smtp.stop();
    });

    it('accepts an access token from our login on its protected route, with our user as sub', async () => {
      const account = await loggedInAccount(app, smtp);
      const me = await app.get<SessionBody>(Paths.me, { token: account.tokens.access });
      assert.equal(me.body.id, account.user.id);
      await assertAccepted(
        verifier,
        account.tokens.access,
        account.user.id,
        'a genuine access token',
      );
    });

    it('refuses a tampered token, a token signed by another key with our kid, and a refresh token', async () => {
      const { tokens, user } = await loggedInAccount(app, smtp);
      const other = await loggedInAccount(app, smtp);
      await assertRefused(
        verifier,
        tampered(tokens.access, { sub: other.user.id }),
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        'a token with a changed sub',
      );
      const [header, payload] = tokens.access.split('.');
      const foreign = asymmetricSigner(alg, newKeyPair(alg).privateKey)(
        decodePart(header),
        decodePart(payload),
      );
      assert.deepEqual(headerOf(foreign), headerOf(tokens.access), 'the forgery names our key');
      await assertRefused(
        verifier,
        foreign,
        'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
        "another key's signature under our kid",
      );
      // Same key, issuer and audience: only the type claim tells a refresh token apart.
      await assertRefused(verifier, tokens.refresh, 'not an access token', 'a refresh token');
      await assertAccepted(verifier, tokens.access, user.id, 'the untouched token (control)');
    });
  });
}

describe('a second service after a key rotation (EdDSA)', () => {
  it('keeps accepting the old key while it is published, and refuses it once removed and its key set is fetched again', async () => {
    const smtp = await new SmtpSink().start();
    const [old, standby] = [newKeyPair('EdDSA'), newKeyPair('EdDSA')];
    let app = await TestApp.start(
      sessionEnv(smtp, signingEnv('EdDSA', { current: old, next: standby })),
    );
    // Our service comes back on the same address after each restart, as behind a load balancer.
    const port = Number(new URL(app.baseUrl).port);
    const fresh = await JwksVerifierService.start(verifierOptions(app, 'EdDSA', SHORT_CACHE_MS));
    const cached = await JwksVerifierService.start(verifierOptions(app, 'EdDSA'));
    try {
      const account = await loggedInAccount(app, smtp);
      const oldAccess = account.tokens.access;
      for (const verifier of [fresh, cached]) {
        await assertAccepted(verifier, oldAccess, account.user.id, 'before the rotation');
      }
      await app.close({ keepData: true });

      // The switch: the standby key signs, the old one is published for verification only.
      app = await TestApp.start(
        sessionEnv(smtp, signingEnv('EdDSA', { current: standby, previous: [old] })),
        { storage: app.storage, port },
      );
      const rotated = await rotate(app, account.tokens.refresh);
      assert.notEqual(headerOf(rotated.access).kid, headerOf(oldAccess).kid);
      await delay(SHORT_CACHE_MS + 100);
      for (const verifier of [fresh, cached]) {
        await assertAccepted(verifier, rotated.access, account.user.id, "the new key's token");
        await assertAccepted(verifier, oldAccess, account.user.id, "the previous key's token");
      }
      await app.close({ keepData: true });

      // The old key retired: gone from the JWKS.
      app = await TestApp.start(sessionEnv(smtp, signingEnv('EdDSA', { current: standby })), {
        storage: app.storage,
        port,
      });
      const published = await app.get<{ keys: { kid: string }[] }>(JWKS_PATH);
      assert.deepEqual(
        published.body.keys.map((key) => key.kid),
        [headerOf(rotated.access).kid],
      );
      await delay(SHORT_CACHE_MS + 100);
      await assertRefused(fresh, oldAccess, 'ERR_JWKS_NO_MATCHING_KEY', "a retired key's token");
      await assertAccepted(fresh, rotated.access, account.user.id, "the new key's token");
      // A verifier whose cached key set is still fresh keeps trusting a removed key until its
      // cache expires (jose's own cacheMaxAge, 10 minutes by default, whatever Cache-Control
      // says): removing a key from the JWKS is not an instant revocation elsewhere.
      await assertAccepted(cached, oldAccess, account.user.id, 'within the cache age');
      assertCleanLogs(app);
    } finally {
      await fresh.close();
      await cached.close();
      await app.close();
      await smtp.stop();
    }
  });
});
