import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  loggedInAccount,
  login,
  meStatus,
  Messages,
  Paths,
  rotate,
  sessionEnv,
  type TokenPairBody,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('revocations survive a restart', () => {
  let smtp: SmtpSink;
  const apps: TestApp[] = [];

  before(async () => {
    smtp = await new SmtpSink().start();
  });
  after(async () => {
    assertCleanLogs(...apps);
    await apps.at(-1)?.close();
    await smtp.stop();
  });

  it('refuses after a restart what was revoked before it, and accepts what was not', async () => {
    const env = sessionEnv(smtp);
    const original = await TestApp.start(env);
    apps.push(original);

    // Logged out: one session of this user; the other one stays.
    const loggedOut = await loggedInAccount(original, smtp);
    const keptSession = await login(original, loggedOut.email, loggedOut.password);
    const logout = await original.post<SessionBody>(
      Paths.logout,
      { refresh_token: loggedOut.tokens.refresh },
      { token: loggedOut.tokens.access },
    );
    assert.equal(logout.status, 200, logout.text);

    // Logged out everywhere: both sessions of another user.
    const everywhere = await loggedInAccount(original, smtp);
    const everywhereOther = await login(original, everywhere.email, everywhere.password);
    const logoutAll = await original.post<SessionBody>(
      Paths.logoutAll,
      {},
      { token: everywhere.tokens.access },
    );
    assert.equal(logoutAll.status, 200, logoutAll.text);
    const everywhereAfter = await login(original, everywhere.email, everywhere.password);

    // Rotated: the first refresh token is spent, the second one is live.
    const rotated = await loggedInAccount(original, smtp);
    const rotatedNext: TokenPairBody = await rotate(original, rotated.tokens.refresh);

    // Deactivated.
    const deactivated = await loggedInAccount(original, smtp);
    assert.equal(
      (
        await original.request<SessionBody>('DELETE', Paths.me, {
          token: deactivated.tokens.access,
        })
      ).status,
      204,
    );

    await original.close({ keepData: true });
    const restarted = await TestApp.start(env, { storage: original.storage });
    apps.push(restarted);

    await assertAccessRefused(restarted, loggedOut.tokens.access, 'the logged-out access token');
    await assertRefreshRefused(restarted, loggedOut.tokens.refresh, 'the logged-out refresh token');
    assert.equal(
      await meStatus(restarted, keptSession.access),
      200,
      'the other session of that user',
    );
    await rotate(restarted, keptSession.refresh);

    for (const [what, pair] of Object.entries({
      first: everywhere.tokens,
      second: everywhereOther,
    })) {
      await assertAccessRefused(restarted, pair.access, `${what} session after logout-all`);
      await assertRefreshRefused(restarted, pair.refresh, `${what} session after logout-all`);
    }
    assert.equal(
      await meStatus(restarted, everywhereAfter.access),
      200,
      'a login after logout-all',
    );

    await assertAccessRefused(restarted, deactivated.tokens.access, 'a deactivated account');
    await assertRefreshRefused(restarted, deactivated.tokens.refresh, 'a deactivated account');
    const deactivatedLogin = await restarted.post<SessionBody>(Paths.login, {
      email: deactivated.email,
      password: deactivated.password,
    });
    assert.equal(deactivatedLogin.status, 401);
    assert.equal(deactivatedLogin.body.message, Messages.invalidCredentials);

    // The live token of the rotated session works; the spent one is refused, which (reuse
    // detection) ends that session, even though the rotation happened before the restart.
    assert.equal(await meStatus(restarted, rotatedNext.access), 200);
    await assertRefreshRefused(restarted, rotated.tokens.refresh, 'the rotated refresh token');
    await assertRefreshRefused(
      restarted,
      rotatedNext.refresh,
      'the session whose spent token was reused',
    );
  });
});
