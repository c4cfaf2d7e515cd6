import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertCleanLogs,
  freshPassword,
  loggedInAccount,
  Paths,
  resign,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

/** RFC 6750 §3: the challenge when no token was sent, and when the one sent was refused. */
const CHALLENGE = 'Bearer realm="otp-auth"';
const INVALID_TOKEN = 'Bearer realm="otp-auth", error="invalid_token"';

/** Every Bearer endpoint, with a body it would accept from a signed-in caller. */
const BEARER_ENDPOINTS: { method: string; path: string; body?: Record<string, string> }[] = [
  { method: 'GET', path: Paths.me },
  { method: 'PATCH', path: Paths.me, body: { full_name: 'Ada King' } },
  { method: 'DELETE', path: Paths.me },
  { method: 'POST', path: Paths.logout, body: { refresh_token: 'not-a-token' } },
  { method: 'POST', path: Paths.logoutAll },
  {
    method: 'POST',
    path: Paths.changePassword,
    body: { current_password: 'whatever it was', new_password: 'a brand new passphrase' },
  },
];

function assertChallenge(response: TestResponse<SessionBody>, challenge: string, what: string) {
  assert.equal(response.status, 401, `${what}: ${response.text}`);
  assert.equal(response.headers.get('www-authenticate'), challenge, what);
}

describe('401 answers carry WWW-Authenticate: Bearer; profile answers are not stored', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('every Bearer endpoint: no token → the plain challenge; a malformed, forged or revoked token → error="invalid_token"', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const revoked = (await loggedInAccount(app, smtp)).tokens.access;
    // Used once first, so that the refusal below comes from the remembered-token path too.
    assert.equal((await app.get(Paths.me, { token: revoked })).status, 200);
    const logoutAll = await app.post(Paths.logoutAll, undefined, { token: revoked });
    assert.equal(logoutAll.status, 200, logoutAll.text);
    const forged = resign(
      tokens.access,
      {},
      { secret: 'not-the-secret-of-this-service-0123456789' },
    );

    for (const { method, path, body } of BEARER_ENDPOINTS) {
      const call = (token?: string) => app.request<SessionBody>(method, path, { body, token });
      assertChallenge(await call(), CHALLENGE, `${method} ${path} without a token`);
      assertChallenge(await call('not-a-token'), INVALID_TOKEN, `${method} ${path}, not a JWT`);
      assertChallenge(await call(forged), INVALID_TOKEN, `${method} ${path}, a forged token`);
      assertChallenge(await call(revoked), INVALID_TOKEN, `${method} ${path}, a revoked token`);
    }
  });

  it('a scheme other than Bearer counts as no token: the plain challenge', async () => {
    const response = await app.get<SessionBody>(Paths.me, {
      headers: { authorization: 'Basic YWRhOnNlY3JldA==' },
    });
    assertChallenge(response, CHALLENGE, 'Basic credentials');
  });

  it("login's and refresh's 401 carry the plain challenge", async () => {
    const { email } = await loggedInAccount(app, smtp);
    const login = await app.post<SessionBody>(Paths.login, { email, password: freshPassword() });
    assertChallenge(login, CHALLENGE, 'a wrong password');

    const refresh = await app.post<SessionBody>(Paths.refresh, { refresh: 'not-a-token' });
    assertChallenge(refresh, CHALLENGE, 'an invalid refresh token');
  });

  it('GET and PATCH me answer with Cache-Control: no-store', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const profile = await app.get<SessionBody>(Paths.me, { token: tokens.access });
    assert.equal(profile.status, 200, profile.text);
    assert.equal(profile.headers.get('cache-control'), 'no-store');

    const renamed = await app.request<SessionBody>('PATCH', Paths.me, {
      token: tokens.access,
      body: { full_name: 'Ada King' },
    });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.headers.get('cache-control'), 'no-store');
  });
});
