import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertCleanLogs,
  freshPassword,
  loggedInAccount,
  login,
  Messages,
  nowSeconds,
  Paths,
  rememberSecret,
  requestResetToken,
  resign,
  tampered,
  unsigned,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const FOREIGN_SECRET = 'not-the-secret-of-this-service-0123456789abcdef';

/**
 * Tokens made from a genuine one that must all be refused where the genuine one is accepted:
 * other algorithms, other keys, edited claims, no signature, expired, another issuer or audience.
 */
function forgeriesOf(token: string, otherUserId: string): [what: string, forged: string][] {
  const past = nowSeconds() - 120;
  const [header, payload] = token.split('.');
  return [
    ['alg none', unsigned(token, 'none')],
    ['alg None', unsigned(token, 'None')],
    ['HS512 signed with the right secret', resign(token, {}, { algorithm: 'HS512' })],
    ['HS384 signed with the right secret', resign(token, {}, { algorithm: 'HS384' })],
    ['a foreign secret', resign(token, {}, { secret: FOREIGN_SECRET })],
    ['another user in the payload, the signature kept', tampered(token, { sub: otherUserId })],
    [
      'a later expiry in the payload, the signature kept',
      tampered(token, { exp: nowSeconds() + 86400 * 365 }),
    ],
    ['the signature stripped', `${header}.${payload}.`],
    ['no signature part at all', `${header}.${payload}`],
    ['an expired token signed with the right secret', resign(token, { iat: past - 60, exp: past })],
    ['a wrong issuer', resign(token, { iss: 'someone-else' })],
    ['a wrong audience', resign(token, { aud: 'someone-else' })],
    ['no issuer or audience', resign(token, { iss: undefined, aud: undefined })],
    ['not a JWT', 'definitely-not-a-jwt'],
  ];
}

describe('tokens of the wrong type, forged or tampered tokens', () => {
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

  it('Bearer routes refuse refresh and reset tokens, forgeries, and tokens in the query string', async () => {
    const victim = await loggedInAccount(app, smtp);
    const other = await loggedInAccount(app, smtp);
    const reset = await requestResetToken(app, smtp, victim.email);
    const { access, refresh } = victim.tokens;

    const refused: [string, string][] = [
      ['a refresh token', refresh],
      ['a reset token', reset],
      ...forgeriesOf(access, other.user.id),
    ];
    for (const [what, token] of refused) {
      const response = await app.get<SessionBody>(Paths.me, { token });
      assert.equal(response.status, 401, `${what} was accepted: ${response.text}`);
      assert.ok(!response.text.includes(victim.email), `${what}: the profile leaked`);
    }
    for (const query of ['access_token', 'token']) {
      const response = await app.get<SessionBody>(`${Paths.me}?${query}=${access}`);
      assert.equal(response.status, 401, `?${query}= was accepted`);
    }
    for (const header of [`Token ${access}`, `Basic ${access}`, access, 'Bearer ']) {
      const response = await app.get<SessionBody>(Paths.me, { headers: { authorization: header } });
      assert.equal(response.status, 401, `Authorization: ${header.slice(0, 12)}… was accepted`);
    }

    // The controls: the genuine token, and a copy signed the way the service signs, still work,
    // so every 401 above is about what was changed.
    assert.equal((await app.get<SessionBody>(Paths.me, { token: access })).status, 200);
    assert.equal((await app.get<SessionBody>(Paths.me, { token: resign(access, {}) })).status, 200);
  });

  it('POST token/refresh/ refuses access and reset tokens and forgeries with 401 "Invalid or expired refresh token."', async () => {
    const victim = await loggedInAccount(app, smtp);
    const other = await loggedInAccount(app, smtp);
    const reset = await requestResetToken(app, smtp, victim.email);
    const { access, refresh } = victim.tokens;

    const refused: [string, string][] = [
      ['an access token', access],
      ['a reset token', reset],
      ...forgeriesOf(refresh, other.user.id),
    ];
    for (const [what, token] of refused) {
      const response = await app.post<SessionBody>(Paths.refresh, { refresh: token });
      assert.equal(response.status, 401, `${what}: ${response.status} ${response.text}`);
      assert.equal(response.body.message, Messages.invalidRefreshToken, what);
    }
    // A token only in the query string is no token at all.
    const query = await app.post<SessionBody>(
      `${Paths.refresh}?refresh=${refresh}&refresh_token=${refresh}`,
      {},
    );
    assert.equal(query.status, 400, query.text);
    assert.equal(query.body.message, Messages.refreshTokenRequired);

    // The control: none of the above spent or revoked the genuine token.
    const rotated = await app.post<SessionBody>(Paths.refresh, { refresh });
    assert.equal(rotated.status, 200, rotated.text);
    rememberSecret(rotated.body.access, rotated.body.refresh);
  });

  it('POST logout/ refuses forged refresh tokens with 400 and forged Bearer tokens with 401, revoking nothing', async () => {
    const victim = await loggedInAccount(app, smtp);
    const other = await loggedInAccount(app, smtp);
    const { access, refresh } = victim.tokens;

    for (const [what, token] of [
      ['an access token', access] as [string, string],
      ...forgeriesOf(refresh, other.user.id),
    ]) {
      const response = await app.post<SessionBody>(
        Paths.logout,
        { refresh_token: token },
        { token: access },
      );
      assert.equal(response.status, 400, `${what}: ${response.status} ${response.text}`);
      assert.equal(response.body.message, Messages.invalidLogoutToken, what);
    }
    for (const [what, token] of [
      ['a refresh token', refresh] as [string, string],
      ...forgeriesOf(access, other.user.id),
    ]) {
      const response = await app.post<SessionBody>(
        Paths.logout,
        { refresh_token: refresh },
        { token },
      );
      assert.equal(response.status, 401, `Bearer ${what}: ${response.status} ${response.text}`);
    }

    assert.equal((await app.get<SessionBody>(Paths.me, { token: access })).status, 200);
    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: refresh },
      { token: access },
    );
    assert.equal(logout.status, 200, logout.text);
  });

  it('POST reset-password/ refuses session tokens and forgeries with 400 "Invalid or expired reset token."', async () => {
    const victim = await loggedInAccount(app, smtp);
    const other = await loggedInAccount(app, smtp);
    const reset = await requestResetToken(app, smtp, victim.email);
    const newPassword = freshPassword();

    const refused: [string, string][] = [
      ['an access token', victim.tokens.access],
      ['a refresh token', victim.tokens.refresh],
      ...forgeriesOf(reset, other.user.id),
    ];
    for (const [what, token] of refused) {
      const response = await app.post<SessionBody>(Paths.resetPassword, {
        token,
        new_password: newPassword,
      });
      assert.equal(response.status, 400, `${what}: ${response.status} ${response.text}`);
      assert.equal(response.body.message, Messages.invalidResetToken, what);
    }
    const query = await app.post<SessionBody>(`${Paths.resetPassword}?token=${reset}`, {
      new_password: newPassword,
    });
    assert.equal(query.status, 400, query.text);
    assert.equal(query.body.message, Messages.resetTokenRequired);

    // Neither password changed; then the genuine token still works, once.
    await login(app, other.email, other.password);
    await login(app, victim.email, victim.password);
    const genuine = await app.post<SessionBody>(Paths.resetPassword, {
      token: reset,
      new_password: newPassword,
    });
    assert.equal(genuine.status, 200, genuine.text);
    await login(app, victim.email, newPassword);
  });
});
