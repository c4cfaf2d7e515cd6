import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  loggedEvents,
  loggedInAccount,
  login,
  meStatus,
  Messages,
  Paths,
  payloadOf,
  refresh,
  rememberSecret,
  rotate,
  sessionEnv,
  type TokenPairBody,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

// One app at a time: apps in one process share Nest's logger and passport's strategy registry.
let smtp: SmtpSink;
before(async () => {
  smtp = await new SmtpSink().start();
});
after(async () => {
  await smtp.stop();
});

describe('POST /api/users/token/refresh/', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('rotates: a new pair that works, and the presented refresh token refused afterwards', async () => {
    const { user, tokens: first } = await loggedInAccount(app, smtp);
    const response = await refresh(app, first.refresh);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.body.token_type, 'Bearer');
    assert.equal(typeof response.body.expires_in, 'number');
    const second = response.body as TokenPairBody;
    rememberSecret(second.access, second.refresh);
    assert.notEqual(second.refresh, first.refresh);
    assert.equal(payloadOf(second.refresh).fam, payloadOf(first.refresh).fam, 'same session');

    const me = await app.get<SessionBody>(Paths.me, { token: second.access });
    assert.equal(me.status, 200);
    assert.equal(me.body.id, user.id);
    await rotate(app, second.refresh);
    await assertRefreshRefused(app, first.refresh, 'the rotated refresh token');
  });

  it('accepts the refresh_token alias', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const response = await app.post<SessionBody>(Paths.refresh, { refresh_token: tokens.refresh });
    assert.equal(response.status, 200, response.text);
    rememberSecret(response.body.access, response.body.refresh);
    assert.equal(
      await app.get<SessionBody>(Paths.me, { token: response.body.access }).then((r) => r.status),
      200,
    );
  });

  it('refuses refresh and refresh_token naming two different tokens, like logout: 400, and rotates neither', async () => {
    const { email, password, tokens } = await loggedInAccount(app, smtp);
    const other = await login(app, email, password);

    const response = await app.post<SessionBody>(Paths.refresh, {
      refresh: tokens.refresh,
      refresh_token: other.refresh,
    });

    assert.equal(response.status, 400, response.text);
    assert.deepEqual(response.body.message, [
      'refresh_token must be the same token as refresh when both are sent',
    ]);
    await rotate(app, tokens.refresh);
    await rotate(app, other.refresh);
  });

  it('treats a rotated token presented again as theft: 401, and the whole session (newest tokens too) revoked', async () => {
    const { user, tokens: a } = await loggedInAccount(app, smtp);
    const b = await rotate(app, a.refresh);
    const c = await rotate(app, b.refresh);

    await assertRefreshRefused(app, a.refresh, 'the reused token');
    await assertRefreshRefused(app, c.refresh, 'the newest refresh token of the stolen session');
    await assertAccessRefused(app, c.access, 'the newest access token of the stolen session');
    await assertAccessRefused(app, a.access, 'the first access token of the stolen session');
    assert.ok(
      loggedEvents(app).some(
        (event) => event.event === 'refresh_reuse_detected' && event.user_id === user.id,
      ),
      'the theft is logged',
    );
  });

  it('revokes only the stolen session: another login of the same user keeps working', async () => {
    const { email, password, tokens: stolen } = await loggedInAccount(app, smtp);
    const otherDevice = await login(app, email, password);
    const rotated = await rotate(app, stolen.refresh);
    await assertRefreshRefused(app, stolen.refresh, 'the reused token');
    await assertAccessRefused(app, rotated.access, 'the stolen session');
    assert.equal(await meStatus(app, otherDevice.access), 200);
    await rotate(app, otherDevice.refresh);
  });

  it('answers 20 parallel refreshes of one token with exactly one 200 and nineteen 401s (strict default)', async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(app, tokens.refresh)),
    );
    const statuses = responses.map((response) => response.status);
    for (const response of responses)
      if (response.status === 200) rememberSecret(response.body.access, response.body.refresh);
    assert.equal(statuses.filter((status) => status === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 401).length, 19, statuses.join(','));
    for (const response of responses.filter((r) => r.status === 401)) {
      assert.equal(response.body.message, Messages.invalidRefreshToken);
    }
  });
});

describe('POST /api/users/token/refresh/ with REFRESH_REUSE_GRACE=5 (tabs refreshing at once)', () => {
  let graceApp: TestApp;

  before(async () => {
    graceApp = await TestApp.start(sessionEnv(smtp, { REFRESH_REUSE_GRACE: '5' }));
  });
  after(async () => {
    assertCleanLogs(graceApp);
    await graceApp.close();
  });

  it('gives every one of 5 parallel refreshes a working pair of the same session', async () => {
    const { user, tokens } = await loggedInAccount(graceApp, smtp);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => refresh(graceApp, tokens.refresh)),
    );
    assert.deepEqual(
      responses.map((response) => response.status),
      [200, 200, 200, 200, 200],
      responses.map((response) => response.text).join('\n'),
    );
    const pairs = responses.map((response) => response.body as TokenPairBody);
    for (const pair of pairs) rememberSecret(pair.access, pair.refresh);
    for (const pair of pairs) {
      assert.equal(payloadOf(pair.refresh).fam, payloadOf(tokens.refresh).fam);
      const me = await graceApp.get<SessionBody>(Paths.me, { token: pair.access });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.id, user.id);
    }
    // Every tab goes on refreshing with its own new token.
    for (const pair of pairs) await rotate(graceApp, pair.refresh);
  });
});

describe('POST /api/users/token/refresh/ with JWT_REFRESH_TTL=60s and REFRESH_REUSE_GRACE=1', () => {
  let shortApp: TestApp;

  before(async () => {
    shortApp = await TestApp.start(
      sessionEnv(smtp, { JWT_REFRESH_TTL: '60s', JWT_ACCESS_TTL: '30s', REFRESH_REUSE_GRACE: '1' }),
    );
  });
  after(async () => {
    assertCleanLogs(shortApp);
    await shortApp.close();
  });

  it('with a grace period, a token presented again within it gets a pair; after it, reuse is theft', async () => {
    const { tokens: a } = await loggedInAccount(shortApp, smtp);
    const b = await rotate(shortApp, a.refresh);
    const again = await rotate(shortApp, a.refresh);
    assert.equal(payloadOf(again.refresh).fam, payloadOf(a.refresh).fam);
    assert.equal(
      (await shortApp.get<SessionBody>(Paths.me, { token: b.access })).status,
      200,
      'the first rotation stays valid',
    );

    await sleep(1300); // past the 1-second grace
    await assertRefreshRefused(shortApp, a.refresh, 'the token reused after the grace period');
    await assertRefreshRefused(shortApp, b.refresh, 'the session after theft');
    await assertAccessRefused(shortApp, again.access, 'the session after theft');
  });

  it('never extends a session: every rotated refresh token expires when the first one does', async () => {
    const { tokens } = await loggedInAccount(shortApp, smtp);
    const first = payloadOf(tokens.refresh);
    assert.equal((first.exp as number) - (first.iat as number), 60);
    await sleep(1100); // so that a lifetime counted from a rotation would show
    let current = tokens;
    for (let rotation = 1; rotation <= 3; rotation += 1) {
      current = await rotate(shortApp, current.refresh);
      const claims = payloadOf(current.refresh);
      assert.ok((claims.iat as number) > (first.iat as number), 'issued later');
      assert.equal(claims.exp, first.exp, `rotation ${rotation} kept the absolute expiry`);
      assert.ok(
        (payloadOf(current.access).exp as number) <= (first.exp as number),
        'access never outlives the session',
      );
    }
  });
});
