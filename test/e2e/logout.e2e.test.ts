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
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('POST /api/users/logout/ and /api/users/logout-all/', () => {
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

  it('logs out: 200, and that access token and that refresh token refused at once; other sessions live on', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const otherDevice = await login(app, email, password);
    assert.equal(await meStatus(app, tokens.access), 200);

    const response = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: tokens.refresh },
      { token: tokens.access },
    );
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { message: Messages.loggedOut });

    await assertAccessRefused(app, tokens.access, 'the access token used to log out');
    await assertRefreshRefused(app, tokens.refresh, 'the logged-out refresh token');
    assert.equal(await meStatus(app, otherDevice.access), 200);
    await rotate(app, otherDevice.refresh);
  });

  it('ends the whole session: an access token of the same session from before a rotation is refused too', async () => {
    const { tokens: first } = await loggedInAccount(app, smtp);
    const second = await rotate(app, first.refresh);
    assert.equal(
      await meStatus(app, first.access),
      200,
      'an earlier access token works until logout',
    );
    const response = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: second.refresh },
      { token: second.access },
    );
    assert.equal(response.status, 200, response.text);
    await assertAccessRefused(app, first.access, 'an earlier access token of the session');
  });

  it('answers a missing or empty refresh_token with 400 "Refresh token is required." and revokes nothing', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    for (const body of [
      {},
      { refresh_token: '' },
      { refresh: '' },
      { refresh_token: '', refresh: '' },
    ]) {
      const response = await app.post<SessionBody>(Paths.logout, body, { token: tokens.access });
      assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
      assert.equal(response.body.message, Messages.refreshTokenRequired);
    }
    assert.equal(await meStatus(app, tokens.access), 200);
    await rotate(app, tokens.refresh);
  });

  it('accepts the refresh alias, as token/refresh does, alone or alongside the same token', async () => {
    for (const body of [
      (refresh: string) => ({ refresh }),
      (refresh: string) => ({ refresh, refresh_token: refresh }),
      (refresh: string) => ({ refresh, refresh_token: '' }),
    ]) {
      const { tokens } = await loggedInAccount(app, smtp);
      const response = await app.post<SessionBody>(Paths.logout, body(tokens.refresh), {
        token: tokens.access,
      });
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body, { message: Messages.loggedOut });
      await assertAccessRefused(app, tokens.access, 'the access token used to log out');
      await assertRefreshRefused(app, tokens.refresh, 'the logged-out refresh token');
    }
  });

  it('refuses two different refresh tokens with a 400 naming refresh_token, and revokes neither', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const other = await login(app, email, password);

    const response = await app.post<SessionBody>(
      Paths.logout,
      { refresh: tokens.refresh, refresh_token: other.refresh },
      { token: tokens.access },
    );

    assert.equal(response.status, 400, response.text);
    assert.deepEqual(response.body.message, [
      'refresh_token must be the same token as refresh when both are sent',
    ]);
    assert.equal(await meStatus(app, tokens.access), 200);
    await rotate(app, tokens.refresh);
    await rotate(app, other.refresh);
  });

  it('refuses another user\'s refresh token with 400 "Invalid refresh token." and revokes nothing of either user', async () => {
    const caller = await loggedInAccount(app, smtp);
    const other = await loggedInAccount(app, smtp);
    const response = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: other.tokens.refresh },
      { token: caller.tokens.access },
    );
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.message, Messages.invalidLogoutToken);

    assert.equal(await meStatus(app, caller.tokens.access), 200, "the caller's access token");
    assert.equal(await meStatus(app, other.tokens.access), 200, "the other user's access token");
    await rotate(app, other.tokens.refresh);
    await rotate(app, caller.tokens.refresh);
  });

  it('refuses an already revoked refresh token with 400 "Invalid refresh token." and revokes nothing', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: tokens.refresh },
      { token: tokens.access },
    );
    assert.equal(logout.status, 200, logout.text);

    const fresh = await login(app, email, password);
    const again = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: tokens.refresh },
      { token: fresh.access },
    );
    assert.equal(again.status, 400, again.text);
    assert.equal(again.body.message, Messages.invalidLogoutToken);
    assert.equal(await meStatus(app, fresh.access), 200);
    await rotate(app, fresh.refresh);
  });

  it('answers 401 without a valid Bearer token and leaves the refresh token alone', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const missing = await app.post<SessionBody>(Paths.logout, { refresh_token: tokens.refresh });
    assert.equal(missing.status, 401, missing.text);
    const garbage = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: tokens.refresh },
      { token: 'not-a-token' },
    );
    assert.equal(garbage.status, 401, garbage.text);
    await rotate(app, tokens.refresh);
  });

  it('logout-all revokes every access and refresh token of the user on every device', async () => {
    const { email, password, tokens: laptop } = await loggedInAccount(app, smtp);
    const phone = await login(app, email, password);
    const phoneRotated = await rotate(app, phone.refresh);
    const bystander = await loggedInAccount(app, smtp);

    const response = await app.post<SessionBody>(Paths.logoutAll, {}, { token: laptop.access });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { message: Messages.loggedOutEverywhere });

    for (const [what, access] of Object.entries({
      laptop: laptop.access,
      phone: phone.access,
      phoneRotated: phoneRotated.access,
    })) {
      await assertAccessRefused(app, access, `${what} access token`);
    }
    await assertRefreshRefused(app, laptop.refresh, 'laptop refresh token');
    await assertRefreshRefused(app, phoneRotated.refresh, 'phone refresh token');

    assert.equal(await meStatus(app, bystander.tokens.access), 200, 'another user is not affected');
    const again = await login(app, email, password);
    assert.equal(await meStatus(app, again.access), 200, 'logging in again works');
  });

  it('logout-all answers 401 without a valid Bearer token', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    assert.equal((await app.post<SessionBody>(Paths.logoutAll, {})).status, 401);
    assert.equal(
      (await app.post<SessionBody>(Paths.logoutAll, {}, { token: tokens.refresh })).status,
      401,
    );
    assert.equal(await meStatus(app, tokens.access), 200, 'nothing was revoked');
  });
});
