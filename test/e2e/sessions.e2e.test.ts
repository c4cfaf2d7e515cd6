import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  assertAccessRefused,
  assertCleanLogs,
  assertRefreshRefused,
  loggedEvents,
  meStatus,
  Paths,
  payloadOf,
  rawRequest,
  registerAndConfirm,
  rememberSecret,
  rotate,
  sessionEnv,
  type Account,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp, type ApiClient } from '../support/test-app.js';
import { SessionRegistry } from '../../src/auth/sessions/session.registry.js';

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const SESSION_NOT_FOUND = 'Session not found.';

interface SessionItem {
  id: string;
  created_at: string;
  last_used_at: string;
  ip: string;
  user_agent: string;
  label: string;
  current: boolean;
}

interface SessionList {
  sessions: SessionItem[];
  next_cursor: string | null;
}

/** The session (token family) a pair belongs to. */
function sessionOf(pair: TokenPairBody): string {
  return payloadOf(pair.refresh).fam as string;
}

/** Logs in sending `userAgent`, and returns the pair. */
async function loginAs(
  app: ApiClient,
  account: Account,
  userAgent = 'session-test',
): Promise<TokenPairBody> {
  const response = await app.post<TokenPairBody>(
    Paths.login,
    { email: account.email, password: account.password },
    { headers: { 'user-agent': userAgent } },
  );
  assert.equal(response.status, 200, `login failed: ${response.text}`);
  rememberSecret(response.body.access, response.body.refresh);
  return response.body;
}

/** `GET sessions/` with `access`; checks the 200. */
async function listSessions(app: ApiClient, access: string, query = ''): Promise<SessionList> {
  const response = await app.get<SessionList>(`${Paths.sessions}${query}`, { token: access });
  assert.equal(response.status, 200, response.text);
  return response.body;
}

function revokeSession(app: ApiClient, access: string, id: string) {
  return app.request<SessionBody>('DELETE', `${Paths.sessions}${id}/`, { token: access });
}

/** Asserts a status below 500 and one of `expected`. */
function assertStatus(
  response: { status: number; text: string },
  expected: number[],
  what: string,
) {
  assert.ok(response.status < 500, `${what}: ${response.status} ${response.text}`);
  assert.ok(expected.includes(response.status), `${what}: ${response.status} ${response.text}`);
}

describe('sessions: list, revoke one, revoke the others', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp, { SESSIONS_MAX_PER_USER: '30' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('lists the live sessions newest first, with the current one marked and a label from the User-Agent', async () => {
    const account = await registerAndConfirm(app, smtp);
    const firefox = await loginAs(app, account, FIREFOX_LINUX);
    const iphone = await loginAs(app, account, SAFARI_IPHONE);
    const curl = await loginAs(app, account, 'curl/8.5.0');

    for (const path of [Paths.sessions, Paths.sessions.replace(/\/$/, '')]) {
      const response = await app.get<SessionList>(path, { token: iphone.access });
      assert.equal(response.status, 200, `${path}: ${response.text}`);
      const { sessions, next_cursor } = response.body;
      assert.equal(next_cursor, null);
      assert.deepEqual(
        sessions.map((session) => session.id),
        [sessionOf(curl), sessionOf(iphone), sessionOf(firefox)],
      );
      assert.deepEqual(
        sessions.map((session) => [session.label, session.current]),
        [
          ['curl', false],
          ['Safari on iPhone', true],
          ['Firefox on Linux', false],
        ],
      );
      const [, mine] = sessions;
      assert.equal(mine.user_agent, SAFARI_IPHONE);
      assert.match(mine.ip, /^(::ffff:)?127\.0\.0\.1$|^::1$/);
      assert.ok(Date.parse(mine.created_at) <= Date.parse(mine.last_used_at) + 1);
      assert.ok(Math.abs(Date.parse(mine.created_at) - Date.now()) < 60_000, mine.created_at);
    }
  });

  it('truncates a long User-Agent to 512 characters, and labels what it does not know "Unknown client"', async () => {
    const account = await registerAndConfirm(app, smtp);
    const pair = await loginAs(app, account, `x${'y'.repeat(2000)}`);
    const [session] = (await listSessions(app, pair.access)).sessions;
    assert.equal(session.user_agent.length, 512);
    assert.equal(session.label, 'Unknown client');
  });

  it('pages through 25 sessions with the cursor: every one once, newest first, no gaps', async () => {
    const account = await registerAndConfirm(app, smtp);
    const pairs: TokenPairBody[] = [];
    // In parallel groups, so that some sessions share their creation millisecond.
    for (let group = 0; group < 5; group++) {
      pairs.push(...(await Promise.all(Array.from({ length: 5 }, () => loginAs(app, account)))));
    }
    const seen: SessionItem[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await listSessions(app, pairs[0].access, query);
      assert.ok(page.sessions.length <= 4);
      seen.push(...page.sessions);
      cursor = page.next_cursor;
      pages++;
    } while (cursor !== null && pages < 20);

    assert.equal(pages, 7);
    assert.equal(seen.length, 25);
    assert.deepEqual(new Set(seen.map((session) => session.id)), new Set(pairs.map(sessionOf)));
    for (let index = 1; index < seen.length; index++) {
      assert.ok(
        Date.parse(seen[index - 1].created_at) >= Date.parse(seen[index].created_at),
        'not newest first',
      );
    }
    assert.equal(seen.filter((session) => session.current).length, 1);
    const all = await listSessions(app, pairs[0].access, '?limit=100');
    assert.deepEqual(
      all.sessions.map((session) => session.id),
      seen.map((session) => session.id),
    );
    assert.equal((await listSessions(app, pairs[0].access)).sessions.length, 20, 'default limit');
  });

  it('revokes one session: its access and refresh tokens are refused at once, the others keep working', async () => {
    const account = await registerAndConfirm(app, smtp);
    const caller = await loginAs(app, account);
    const target = await loginAs(app, account);
    const bystander = await loginAs(app, account);

    const response = await revokeSession(app, caller.access, sessionOf(target));
    assert.equal(response.status, 204, response.text);
    assert.equal(response.text, '');

    await assertAccessRefused(app, target.access, 'the revoked session');
    await assertRefreshRefused(app, target.refresh, 'the revoked session');
    assert.equal(await meStatus(app, caller.access), 200);
    assert.equal(await meStatus(app, bystander.access), 200);
    await rotate(app, bystander.refresh);
    assert.deepEqual(
      (await listSessions(app, caller.access)).sessions.map((session) => session.id),
      [sessionOf(bystander), sessionOf(caller)],
    );
    const again = await revokeSession(app, caller.access, sessionOf(target));
    assert.equal(again.status, 404, 'a revoked session is not found again');

    const events = loggedEvents(app).filter((entry) => entry.event === 'session_revoked');
    assert.ok(
      events.some(
        (entry) =>
          entry.session_id === sessionOf(target) &&
          entry.user_id === account.user.id &&
          entry.reason === 'revoked_by_user',
      ),
      JSON.stringify(events),
    );
  });

  it("another user's session id, an unknown id or a malformed one: 404, and nothing is revoked", async () => {
    const caller = await loginAs(app, await registerAndConfirm(app, smtp));
    const otherAccount = await registerAndConfirm(app, smtp);
    const victim = await loginAs(app, otherAccount);

    for (const id of [
      sessionOf(victim),
      randomUUID(),
      sessionOf(victim).toUpperCase(),
      'not-a-session',
      '0',
      `${sessionOf(victim)}x`,
      '%00',
      '..%2Fme',
      'a'.repeat(90),
    ]) {
      const response = await revokeSession(app, caller.access, id);
      assert.equal(response.status, 404, `${id}: ${response.text}`);
      assert.deepEqual(response.body, {
        statusCode: 404,
        error: 'Not Found',
        message: SESSION_NOT_FOUND,
      });
    }
    assert.equal(await meStatus(app, victim.access), 200);
    await rotate(app, victim.refresh);
    assert.equal(await meStatus(app, caller.access), 200);
    const { sessions } = await listSessions(app, victim.access);
    assert.deepEqual(
      sessions.map((session) => session.id),
      [sessionOf(victim)],
    );
  });

  it('revokes the current session when asked: then its own access token gets 401', async () => {
    const pair = await loginAs(app, await registerAndConfirm(app, smtp));
    const response = await revokeSession(app, pair.access, sessionOf(pair));
    assert.equal(response.status, 204, response.text);
    await assertAccessRefused(app, pair.access, 'the current session, revoked');
    await assertRefreshRefused(app, pair.refresh, 'the current session, revoked');
  });

  it('revoke-others: every other session ends, the current one keeps working', async () => {
    const account = await registerAndConfirm(app, smtp);
    const others = [await loginAs(app, account), await loginAs(app, account)];
    const caller = await loginAs(app, account);
    const rotatedOther = await rotate(app, others[1].refresh);

    const response = await app.post<SessionBody>(Paths.revokeOtherSessions, undefined, {
      token: caller.access,
    });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body, { message: 'Other sessions revoked.', revoked: 2 });

    for (const pair of [others[0], rotatedOther]) {
      await assertAccessRefused(app, pair.access, 'another session');
      await assertRefreshRefused(app, pair.refresh, 'another session');
    }
    assert.equal(await meStatus(app, caller.access), 200);
    const next = await rotate(app, caller.refresh);
    assert.deepEqual(
      (await listSessions(app, next.access)).sessions.map((session) => [
        session.id,
        session.current,
      ]),
      [[sessionOf(caller), true]],
    );
    const none = await app.post<SessionBody>(
      Paths.revokeOtherSessions.replace(/\/$/, ''),
      {},
      { token: next.access },
    );
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body, { message: 'Other sessions revoked.', revoked: 0 });
  });

  it('logout, logout-all and a password change take the sessions they end off the list', async () => {
    const account = await registerAndConfirm(app, smtp);
    const first = await loginAs(app, account);
    const second = await loginAs(app, account);
    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: second.refresh },
      { token: second.access },
    );
    assert.equal(logout.status, 200, logout.text);
    assert.deepEqual(
      (await listSessions(app, first.access)).sessions.map((session) => session.id),
      [sessionOf(first)],
    );

    const all = await app.post<SessionBody>(Paths.logoutAll, undefined, { token: first.access });
    assert.equal(all.status, 200, all.text);
    const third = await loginAs(app, account);
    assert.deepEqual(
      (await listSessions(app, third.access)).sessions.map((session) => session.id),
      [sessionOf(third)],
    );

    const newPassword = `${account.password} renewed`;
    rememberSecret(newPassword);
    const change = await app.post<TokenPairBody>(
      Paths.changePassword,
      { current_password: account.password, new_password: newPassword },
      { token: third.access },
    );
    assert.equal(change.status, 200, change.text);
    rememberSecret(change.body.access, change.body.refresh);
    // The pair change-password hands out continues no login of the list.
    assert.deepEqual((await listSessions(app, change.body.access)).sessions, []);
    const fourth = await loginAs(app, { ...account, password: newPassword });
    assert.deepEqual(
      (await listSessions(app, fourth.access)).sessions.map((session) => session.id),
      [sessionOf(fourth)],
    );
  });

  it('bad limit and cursor values get 400 naming the parameter; bodies where none is read never 500', async () => {
    const pair = await loginAs(app, await registerAndConfirm(app, smtp));
    const limitMessage = 'limit must be a whole number from 1 to 100';
    const cursorMessage = 'cursor must be a next_cursor returned by this endpoint';
    const badQueries: [string, string][] = [
      ['?limit=0', limitMessage],
      ['?limit=101', limitMessage],
      ['?limit=-1', limitMessage],
      ['?limit=1.5', limitMessage],
      ['?limit=abc', limitMessage],
      ['?limit=', limitMessage],
      ['?limit=1e2', limitMessage],
      ['?limit=5&limit=6', limitMessage],
      ['?cursor=', cursorMessage],
      ['?cursor=garbage!', cursorMessage],
      ['?cursor=bm90LWEtY3Vyc29y', cursorMessage],
      [`?cursor=${Buffer.from(`123.${'z'.repeat(36)}`).toString('base64url')}`, cursorMessage],
      [`?cursor=${'A'.repeat(5000)}`, cursorMessage],
      ['?cursor=a&cursor=b', cursorMessage],
    ];
    for (const [query, message] of badQueries) {
      const response = await app.get<SessionBody>(`${Paths.sessions}${query}`, {
        token: pair.access,
      });
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.deepEqual(response.body, {
        statusCode: 400,
        error: 'Bad Request',
        message: [message],
      });
    }
    const both = await app.get<SessionBody>(`${Paths.sessions}?limit=0&cursor=x`, {
      token: pair.access,
    });
    assert.deepEqual(both.body.message, [limitMessage, cursorMessage]);
    const unknownParameter = await app.get(`${Paths.sessions}?order=asc`, { token: pair.access });
    assert.equal(unknownParameter.status, 200, 'unknown parameters are ignored');

    // Through node:http: fetch sends no body with GET.
    const bodies: { body: string; type?: string; expected: number[] }[] = [
      {
        body: JSON.stringify({ id: randomUUID(), limit: 'x' }),
        type: 'application/json',
        expected: [200, 204, 404],
      },
      { body: '[1, 2]', type: 'application/json', expected: [200, 204, 404] },
      { body: '{"broken', type: 'application/json', expected: [400] },
      { body: 'plain text', type: 'text/plain', expected: [400, 415] },
      { body: 'no type at all', expected: [400, 415] },
    ];
    for (const { body, type, expected } of bodies) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${pair.access}`,
        'content-length': String(Buffer.byteLength(body)),
      };
      if (type) headers['content-type'] = type;
      const list = await rawRequest(app, 'GET', Paths.sessions, { headers, body });
      // Fastify does not read the body of a GET: it is ignored, whatever it is.
      assertStatus(list, [200], `GET with body ${body}`);
      const unknown = await rawRequest(app, 'DELETE', `${Paths.sessions}${randomUUID()}/`, {
        headers,
        body,
      });
      assertStatus(
        unknown,
        expected.filter((status) => status >= 400),
        `DELETE with body ${body}`,
      );
    }
    // Last: revoke-others with a body ignores it (like logout-all) and ends nothing but others.
    const others = await app.post<SessionBody>(
      Paths.revokeOtherSessions,
      { keep: 'nothing' },
      { token: pair.access },
    );
    assert.equal(others.status, 200, others.text);
    const text = await app.post<SessionBody>(Paths.revokeOtherSessions, 'plain', {
      token: pair.access,
    });
    assertStatus(text, [400, 415], 'revoke-others with a text body');
    assert.equal(await meStatus(app, pair.access), 200);
  });

  it('every sessions endpoint wants a valid access token: 401 without one, or with a refresh token', async () => {
    const pair = await loginAs(app, await registerAndConfirm(app, smtp));
    const requests: [string, string][] = [
      ['GET', Paths.sessions],
      ['DELETE', `${Paths.sessions}${sessionOf(pair)}/`],
      ['POST', Paths.revokeOtherSessions],
    ];
    for (const [method, path] of requests) {
      for (const token of [undefined, pair.refresh, 'not.a.token']) {
        const response = await app.request<SessionBody>(method, path, { token });
        assert.equal(response.status, 401, `${method} ${path}: ${response.text}`);
      }
    }
    assert.equal(await meStatus(app, pair.access), 200, 'nothing was revoked');
    assert.equal((await listSessions(app, pair.access)).sessions.length, 1);
  });
});

describe('sessions: reads of live sessions search the (user_id, revoked_at, created_at) index', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  /** SQLite's plan of `sql`, its steps joined. */
  async function planOf(sql: string, parameters: unknown[]): Promise<string> {
    const plan = await app
      .dataSource()
      .query<{ detail: string }[]>(`EXPLAIN QUERY PLAN ${sql}`, parameters);
    return plan.map((step) => step.detail).join(' | ');
  }

  it('SQLite plans the page as a search bounded by user_id, revoked_at and created_at', async (t) => {
    if (app.dataSource().options.type !== 'sqlite') return t.skip("the plan checked is SQLite's");
    const query = app
      .provider(SessionRegistry)
      .pageQuery({ userId: randomUUID(), generation: 0 }, 100, {
        createdAt: new Date(),
        id: randomUUID(),
      });
    const details = await planOf(...query.getQueryAndParameters());
    // Without the bound on created_at, the plan reads every live row of the user and each later
    // page costs more than the one before.
    assert.match(
      details,
      /IDX_sessions_user_id_revoked_at_created_at \(user_id=\? AND revoked_at=\? AND created_at<\?\)/,
      details,
    );
  });

  it("SQLite plans a login's cap check as a search of the user's live rows only", async (t) => {
    const dataSource = app.dataSource();
    if (dataSource.options.type !== 'sqlite') return t.skip("the plan checked is SQLite's");
    const text = app.provider(SessionRegistry).liveBeyondQuery(9).getQuery();
    const [sql, parameters] = dataSource.driver.escapeQueryWithParameters(
      text,
      { userId: randomUUID(), generation: 0, now: new Date(), exceptId: randomUUID() },
      {},
    );
    const details = await planOf(sql, parameters);
    // Searched by user_id alone, every login would read all the user's revoked rows too, kept
    // until their refresh tokens expire: the more logins, the dearer each one.
    assert.match(
      details,
      /IDX_sessions_user_id_revoked_at_created_at \(user_id=\? AND revoked_at=\?\)/,
      details,
    );
  });
});

describe('sessions: the per-user cap (SESSIONS_MAX_PER_USER, default 10)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    // Parallel logins of one account each take a failure slot until their password is checked.
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: '100' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  it('the 11th login revokes the least recently used session: 10 listed, the oldest refused', async () => {
    const account = await registerAndConfirm(app, smtp);
    const pairs: TokenPairBody[] = [];
    for (let index = 0; index < 11; index++) pairs.push(await loginAs(app, account));

    const { sessions } = await listSessions(app, pairs[10].access);
    assert.equal(sessions.length, 10);
    assert.ok(!sessions.some((session) => session.id === sessionOf(pairs[0])));
    await assertRefreshRefused(app, pairs[0].refresh, 'the oldest session');
    await assertAccessRefused(app, pairs[0].access, 'the oldest session');
    for (const pair of pairs.slice(1)) assert.equal(await meStatus(app, pair.access), 200);
    assert.ok(
      loggedEvents(app).some(
        (entry) =>
          entry.event === 'session_revoked' &&
          entry.session_id === sessionOf(pairs[0]) &&
          entry.reason === 'session_cap',
      ),
    );
  });

  it('15 parallel logins leave at most 10 sessions alive', async () => {
    const account = await registerAndConfirm(app, smtp);
    const pairs = await Promise.all(Array.from({ length: 15 }, () => loginAs(app, account)));
    const alive: TokenPairBody[] = [];
    for (const pair of pairs) if ((await meStatus(app, pair.access)) === 200) alive.push(pair);
    assert.ok(alive.length <= 10, `${alive.length} sessions alive`);
    assert.ok(alive.length >= 1, 'every login was revoked');
    assert.equal(
      (await listSessions(app, alive[0].access)).sessions.length,
      alive.length,
      'the list shows exactly the live sessions',
    );
  });

  it('parallel logins past the cap end each session once: one log line per revoked session', async () => {
    const account = await registerAndConfirm(app, smtp);
    const first = await Promise.all(Array.from({ length: 10 }, () => loginAs(app, account)));
    // Five rounds of four logins at once past the cap: logins of one round read the same
    // least recently used sessions and race to revoke them.
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 4 }, () => loginAs(app, account)));
    }
    const revoked = loggedEvents(app).filter(
      (entry) =>
        entry.event === 'session_revoked' && entry.user_id === payloadOf(first[0].access).sub,
    );
    const ids = revoked.map((entry) => entry.session_id as string);
    assert.equal(new Set(ids).size, ids.length, `a session revoked twice: ${ids.join(', ')}`);
    // 30 logins, at most 10 alive: at least 20 ended, and no line for a session still alive.
    assert.ok(ids.length >= 20, `${ids.length} revoked`);
    for (const pair of first) {
      const ended = ids.includes(sessionOf(pair));
      assert.equal(await meStatus(app, pair.access), ended ? 401 : 200);
    }
  });
});
