import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccessTokenAuthenticator } from '../../../src/auth/guards/access-token-authenticator.js';
import type { TokenRevocationService } from '../../../src/auth/revocation/token-revocation.service.js';
import type { AccessClaims } from '../../../src/auth/tokens/token-claims.js';

function claims(overrides: Partial<AccessClaims> = {}): AccessClaims {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: 'user-1',
    jti: 'jti-1',
    iat: now,
    exp: now + 900,
    iss: 'otp-auth',
    aud: 'otp-auth',
    token_type: 'access',
    fam: 'family-1',
    gen: 0,
    ...overrides,
  };
}

/** A revocation service that answers from a set of revoked jtis and counts its checks. */
class FakeRevocation {
  readonly revoked = new Set<string>();
  checks = 0;
  sessionKeys(session: AccessClaims): string[] {
    return [`jti:${session.jti}`];
  }
  isSessionValid(session: AccessClaims, keys: readonly string[]): Promise<boolean> {
    this.checks += 1;
    assert.deepEqual(keys, this.sessionKeys(session));
    return Promise.resolve(!this.revoked.has(session.jti));
  }
  /** Answers `value:<key>` for each key beyond the session's. */
  readIfSessionValid(
    session: AccessClaims,
    keys: readonly string[],
    sessionKeyCount: number,
  ): Promise<(string | null)[] | null> {
    this.checks += 1;
    this.reads.push(keys);
    assert.deepEqual(keys.slice(0, sessionKeyCount), this.sessionKeys(session));
    if (this.revoked.has(session.jti)) return Promise.resolve(null);
    return Promise.resolve(
      keys.map((key, index) => (index < sessionKeyCount ? '0' : `value:${key}`)),
    );
  }
  readonly reads: (readonly string[])[] = [];
}

function authenticator(): { auth: AccessTokenAuthenticator; revocation: FakeRevocation } {
  const revocation = new FakeRevocation();
  const auth = new AccessTokenAuthenticator(revocation as unknown as TokenRevocationService);
  return { auth, revocation };
}

describe('AccessTokenAuthenticator', () => {
  it('recalls a remembered token by its exact string, and nothing else', () => {
    const { auth } = authenticator();
    auth.remember('header.payload.signature', auth.prepare(claims()));
    assert.equal(auth.recall('header.payload.signature')?.claims.jti, 'jti-1');
    assert.equal(auth.recall('header.payload.signaturX'), undefined);
    // Same signature segment, other header or payload: not the remembered token.
    assert.equal(auth.recall('header.payloaX.signature'), undefined);
    assert.equal(auth.recall('signature'), undefined);
    assert.equal(auth.recall('.signature'), undefined);
  });

  it('forgets a token once it expires (from the second its exp names on)', () => {
    const { auth } = authenticator();
    auth.remember('expired', auth.prepare(claims({ exp: Math.floor(Date.now() / 1000) })));
    assert.equal(auth.recall('expired'), undefined);
  });

  it('checks revocation on every authentication, remembered or not', async () => {
    const { auth, revocation } = authenticator();
    const session = claims();
    auth.remember('token', auth.prepare(session));
    assert.deepEqual(await auth.authenticate(auth.recall('token')!), {
      user: { id: 'user-1', jti: 'jti-1', exp: session.exp, family: 'family-1' },
    });
    revocation.revoked.add('jti-1');
    assert.equal(await auth.authenticate(auth.recall('token')!), false);
    assert.equal(await auth.authenticate(auth.recall('token')!, (id) => `profile:${id}`), false);
    assert.equal(revocation.checks, 3);
  });

  it("reads a route's key in the same check, with keys built once per token and route", async () => {
    const { auth, revocation } = authenticator();
    auth.remember('token', auth.prepare(claims()));
    const profile = (id: string) => `profile:${id}`;
    const other = (id: string) => `other:${id}`;
    for (const keyOf of [profile, profile, other]) {
      const authentication = await auth.authenticate(auth.recall('token')!, keyOf);
      assert.ok(authentication);
      assert.equal(authentication.user.id, 'user-1');
      assert.equal(authentication.prefetched, `value:${keyOf('user-1')}`);
    }
    assert.deepEqual(revocation.reads.at(0), ['jti:jti-1', 'profile:user-1']);
    assert.equal(revocation.reads.at(0), revocation.reads.at(1), 'keys built again');
    assert.deepEqual(revocation.reads.at(2), ['jti:jti-1', 'other:user-1']);
    // Without a key to read, nothing else is asked for.
    const plain = await auth.authenticate(auth.recall('token')!);
    assert.ok(plain);
    assert.equal(plain.prefetched, undefined);
  });

  it('keeps at most 10,000 tokens, forgetting the oldest first', () => {
    const { auth } = authenticator();
    for (let i = 0; i <= 10_000; i++) {
      auth.remember(`token.${i}`, auth.prepare(claims({ jti: `jti-${i}` })));
    }
    assert.equal(auth.recall('token.0'), undefined);
    assert.equal(auth.recall('token.1')?.claims.jti, 'jti-1');
    assert.equal(auth.recall('token.10000')?.claims.jti, 'jti-10000');
  });
});
