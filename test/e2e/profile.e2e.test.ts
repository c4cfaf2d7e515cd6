import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  loggedInAccount,
  login,
  Messages,
  Paths,
  sessionEnv,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

describe('GET, PATCH and DELETE /api/users/me/', () => {
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

  it('GET shows id, email, full_name, is_active and date_joined, and nothing else', async () => {
    const startedAt = Date.now();
    const { email, user, tokens } = await loggedInAccount(app, smtp, {
      fullName: 'Katherine Johnson',
    });
    const response = await app.get<SessionBody>(Paths.me, { token: tokens.access });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(Object.keys(response.body).sort(), [
      'date_joined',
      'email',
      'full_name',
      'id',
      'is_active',
    ]);
    assert.equal(response.body.id, user.id);
    assert.equal(response.body.email, email);
    assert.equal(response.body.full_name, 'Katherine Johnson');
    assert.equal(response.body.is_active, true);
    const joined = Date.parse(response.body.date_joined as string);
    assert.ok(
      joined >= startedAt - 1000 && joined <= Date.now(),
      `date_joined ${response.body.date_joined}`,
    );
  });

  it('PATCH changes full_name (trimmed) and answers with the updated profile', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const response = await app.request<SessionBody>('PATCH', Paths.me, {
      token: tokens.access,
      body: { full_name: '  Dorothy Vaughan  ' },
    });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.full_name, 'Dorothy Vaughan');
    const after = await app.get<SessionBody>(Paths.me, { token: tokens.access });
    assert.equal(after.body.full_name, 'Dorothy Vaughan');
  });

  it('PATCH ignores email, is_active, id and other fields', async () => {
    const { email, user, tokens } = await loggedInAccount(app, smtp);
    const response = await app.request<SessionBody>('PATCH', Paths.me, {
      token: tokens.access,
      body: {
        full_name: 'Mary Jackson',
        email: 'hijack@example.com',
        is_active: false,
        id: '00000000-0000-0000-0000-000000000000',
        date_joined: '1970-01-01T00:00:00.000Z',
        token_generation: -1,
      },
    });
    assert.equal(response.status, 200, response.text);
    const profile = await app.get<SessionBody>(Paths.me, { token: tokens.access });
    assert.equal(profile.status, 200, 'still active and signed in');
    assert.deepEqual(
      {
        id: profile.body.id,
        email: profile.body.email,
        is_active: profile.body.is_active,
        full_name: profile.body.full_name,
      },
      { id: user.id, email, is_active: true, full_name: 'Mary Jackson' },
    );
    assert.notEqual(profile.body.date_joined, '1970-01-01T00:00:00.000Z');
    const hijack = await app.post<SessionBody>(Paths.login, {
      email: 'hijack@example.com',
      password: 'whatever it is',
    });
    assert.equal(hijack.status, 401);
  });

  it('PATCH answers a missing, empty, too long or non-string full_name with 400 naming the field', async () => {
    const { tokens } = await loggedInAccount(app, smtp, { fullName: 'Annie Easley' });
    const bodies = [
      {},
      { full_name: '' },
      { full_name: '   ' },
      { full_name: 'x'.repeat(151) },
      { full_name: 42 },
      { full_name: null },
      { full_name: ['Annie'] },
    ];
    for (const body of bodies) {
      const response = await app.request<SessionBody>('PATCH', Paths.me, {
        token: tokens.access,
        body,
      });
      assert.equal(response.status, 400, `${JSON.stringify(body).slice(0, 40)}: ${response.text}`);
      const messages = ([] as string[]).concat(response.body.message as string | string[]);
      assert.ok(
        messages.some((message) => message.includes('full_name')),
        response.text,
      );
    }
    const accepted = await app.request<SessionBody>('PATCH', Paths.me, {
      token: tokens.access,
      body: { full_name: 'y'.repeat(150) },
    });
    assert.equal(accepted.status, 200, '150 characters are allowed');
  });

  it('DELETE deactivates: 204, its tokens refused, login refused, the address stays taken', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const otherDevice = await login(app, email, password);
    const response = await app.request<SessionBody>('DELETE', Paths.me, { token: tokens.access });
    assert.equal(response.status, 204);
    assert.equal(response.text, '');

    for (const [what, pair] of Object.entries({ tokens, otherDevice })) {
      await assertAccessRefused(app, pair.access, `${what} access token`);
      await assertRefreshRefused(app, pair.refresh, `${what} refresh token`);
    }
    const again = await app.post<SessionBody>(Paths.login, { email, password });
    assert.equal(again.status, 401);
    assert.equal(again.body.message, Messages.invalidCredentials);
    const register = await app.post<SessionBody>(Paths.register, {
      email,
      password,
      full_name: 'Someone Else',
    });
    assert.equal(register.status, 409, register.text);
    assert.equal(register.body.message, Messages.emailAlreadyRegistered);
  });

  it('answers 401 on every method without a valid Bearer token', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const body = method === 'PATCH' ? { full_name: 'Nobody' } : undefined;
      assert.equal(
        (await app.request<SessionBody>(method, Paths.me, { body })).status,
        401,
        method,
      );
      assert.equal(
        (await app.request<SessionBody>(method, Paths.me, { body, token: tokens.refresh })).status,
        401,
        `${method} with a refresh token`,
      );
    }
    const profile = await app.get<SessionBody>(Paths.me, { token: tokens.access });
    assert.equal(profile.status, 200);
    assert.notEqual(profile.body.full_name, 'Nobody');
  });
});
