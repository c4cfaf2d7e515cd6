import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertCleanLogs,
  freshPassword,
  loggedInAccount,
  login,
  Messages,
  Paths,
  rawRequest,
  rememberSecret,
  requestResetToken,
  rotate,
  sessionEnv,
  type RawResponse,
  type SessionBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** Put into bodies that must be refused; never to be seen in a response. */
const SECRET = `SECRET-${Date.now().toString(36)}-do-not-echo`;
rememberSecret(SECRET);

/** What a refused body must answer: a message naming the field, or an exact message. */
type Expectation = { field: string } | { message: string };

interface Endpoint {
  method: 'POST' | 'PATCH';
  path: string;
  bearer: boolean;
  /** A body that passes validation, with the field values a case replaces. */
  valid: Record<string, unknown>;
  /** Field values (undefined: the field left out) and what the answer must say. */
  invalid: [changes: Record<string, unknown>, expectation: Expectation][];
  /** Whether the body must be a JSON object (every endpoint that reads one). */
  readsBody: boolean;
}

const GOOD_EMAIL = 'someone@example.com';
const LONG_TOKEN = 'x'.repeat(4097);

const ENDPOINTS: Record<string, Endpoint> = {
  login: {
    method: 'POST',
    path: Paths.login,
    bearer: false,
    readsBody: true,
    valid: { email: GOOD_EMAIL, password: SECRET },
    invalid: [
      [{ email: undefined }, { field: 'email' }],
      [{ email: 42 }, { field: 'email' }],
      [{ email: null }, { field: 'email' }],
      [{ email: '' }, { field: 'email' }],
      [{ email: 'not-an-address' }, { field: 'email' }],
      [{ email: `${'a'.repeat(250)}@example.com` }, { field: 'email' }],
      [{ email: [GOOD_EMAIL] }, { field: 'email' }],
      [{ password: undefined }, { field: 'password' }],
      [{ password: 42 }, { field: 'password' }],
      [{ password: '' }, { field: 'password' }],
      [{ password: [SECRET] }, { field: 'password' }],
      [{ password: { value: SECRET } }, { field: 'password' }],
      [{ password: `${SECRET}${'x'.repeat(1025)}` }, { field: 'password' }],
    ],
  },
  'token/refresh': {
    method: 'POST',
    path: Paths.refresh,
    bearer: false,
    readsBody: true,
    valid: { refresh: 'filled in per test' },
    invalid: [
      [{ refresh: undefined }, { message: Messages.refreshTokenRequired }],
      [{ refresh: '' }, { message: Messages.refreshTokenRequired }],
      [{ refresh: 42 }, { field: 'refresh' }],
      [{ refresh: null }, { field: 'refresh' }],
      [{ refresh: { token: SECRET } }, { field: 'refresh' }],
      [{ refresh: LONG_TOKEN }, { field: 'refresh' }],
      [{ refresh: undefined, refresh_token: 42 }, { field: 'refresh_token' }],
      [{ refresh: undefined, refresh_token: LONG_TOKEN }, { field: 'refresh_token' }],
    ],
  },
  logout: {
    method: 'POST',
    path: Paths.logout,
    bearer: true,
    readsBody: true,
    valid: { refresh_token: 'filled in per test' },
    invalid: [
      [{ refresh_token: undefined }, { message: Messages.refreshTokenRequired }],
      [{ refresh_token: '' }, { message: Messages.refreshTokenRequired }],
      [{ refresh_token: 42 }, { field: 'refresh_token' }],
      [{ refresh_token: [SECRET] }, { field: 'refresh_token' }],
      [{ refresh_token: LONG_TOKEN }, { field: 'refresh_token' }],
      [{ refresh_token: undefined, refresh: 42 }, { field: 'refresh' }],
      [{ refresh_token: undefined, refresh: LONG_TOKEN }, { field: 'refresh' }],
    ],
  },
  'logout-all': {
    method: 'POST',
    path: Paths.logoutAll,
    bearer: true,
    readsBody: false,
    valid: {},
    invalid: [],
  },
  'forgot-password': {
    method: 'POST',
    path: Paths.forgotPassword,
    bearer: false,
    readsBody: true,
    valid: { email: GOOD_EMAIL },
    invalid: [
      [{ email: undefined }, { field: 'email' }],
      [{ email: 42 }, { field: 'email' }],
      [{ email: '' }, { field: 'email' }],
      [{ email: 'not-an-address' }, { field: 'email' }],
      [{ email: `${'a'.repeat(250)}@example.com` }, { field: 'email' }],
    ],
  },
  'reset-password': {
    method: 'POST',
    path: Paths.resetPassword,
    bearer: false,
    readsBody: true,
    valid: { token: 'filled in per test', new_password: SECRET },
    invalid: [
      [{ token: undefined }, { message: Messages.resetTokenRequired }],
      [{ token: '' }, { message: Messages.resetTokenRequired }],
      [{ token: 42 }, { field: 'token' }],
      [{ token: LONG_TOKEN }, { field: 'token' }],
      [{ new_password: undefined }, { field: 'new_password' }],
      [{ new_password: 42 }, { field: 'new_password' }],
      [{ new_password: '' }, { field: 'new_password' }],
      [{ new_password: `${SECRET}${'x'.repeat(1025)}` }, { field: 'new_password' }],
    ],
  },
  'change-password': {
    method: 'POST',
    path: Paths.changePassword,
    bearer: true,
    readsBody: true,
    valid: { current_password: SECRET, new_password: SECRET },
    invalid: [
      [{ current_password: undefined }, { field: 'current_password' }],
      [{ current_password: 42 }, { field: 'current_password' }],
      [{ current_password: '' }, { field: 'current_password' }],
      [{ new_password: undefined }, { field: 'new_password' }],
      [{ new_password: false }, { field: 'new_password' }],
      [{ new_password: '' }, { field: 'new_password' }],
    ],
  },
  'PATCH me': {
    method: 'PATCH',
    path: Paths.me,
    bearer: true,
    readsBody: true,
    valid: { full_name: 'Valid Name' },
    invalid: [
      [{ full_name: undefined }, { field: 'full_name' }],
      [{ full_name: 42 }, { field: 'full_name' }],
      [{ full_name: '' }, { field: 'full_name' }],
      [{ full_name: 'x'.repeat(151) }, { field: 'full_name' }],
    ],
  },
};

/** Traces of internals no response may show: stack frames, source paths. */
const INTERNALS = [/^\s*at /m, /node_modules/, /\/(src|build|dist)\//, /\.[cm]?[jt]s:\d+/];

/** A refusal in the standard shape, with nothing of the body, the internals or a hash in it. */
function assertSafeRefusal(response: RawResponse, what: string): Record<string, unknown> {
  assert.ok(
    response.status >= 400 && response.status < 500,
    `${what}: ${response.status} ${response.text}`,
  );
  const body = JSON.parse(response.text) as Record<string, unknown>;
  assert.equal(body.statusCode, response.status, what);
  assert.equal(typeof body.error, 'string', what);
  assert.ok(typeof body.message === 'string' || Array.isArray(body.message), what);
  for (const pattern of INTERNALS) assert.doesNotMatch(response.text, pattern, what);
  assert.ok(!response.text.includes(SECRET), `${what}: the response echoes the body`);
  assert.ok(!response.text.includes('$argon2id$'), `${what}: a hash in the response`);
  return body;
}

function withChanges(
  valid: Record<string, unknown>,
  changes: Record<string, unknown>,
): Record<string, unknown> {
  const body = { ...valid, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete body[key];
  return body;
}

describe('bad input on the session, password and profile endpoints', () => {
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

  /** Authorization for an endpoint: a new account's access token when it needs one. */
  async function authFor(endpoint: Endpoint): Promise<Record<string, string>> {
    if (!endpoint.bearer) return {};
    const { tokens } = await loggedInAccount(app, smtp);
    return { authorization: `Bearer ${tokens.access}` };
  }

  function send(
    endpoint: Endpoint,
    headers: Record<string, string>,
    body?: string,
  ): Promise<RawResponse> {
    return rawRequest(app, endpoint.method, endpoint.path, { headers, body });
  }

  for (const [name, endpoint] of Object.entries(ENDPOINTS)) {
    if (endpoint.invalid.length > 0) {
      it(`${name}: wrong types, missing fields, empty or over-long values → 400 naming the field`, async () => {
        const auth = await authFor(endpoint);
        for (const [changes, expectation] of endpoint.invalid) {
          const what = `${name} ${JSON.stringify(changes).slice(0, 60)}`;
          const body = withChanges(endpoint.valid, changes);
          const response = await send(
            endpoint,
            { ...auth, 'content-type': 'application/json' },
            JSON.stringify(body),
          );
          assert.equal(response.status, 400, `${what}: ${response.status} ${response.text}`);
          const { message } = assertSafeRefusal(response, what);
          if ('message' in expectation) {
            assert.equal(message, expectation.message, what);
          } else {
            const messages = ([] as unknown[]).concat(message);
            assert.ok(
              messages.some((text) => typeof text === 'string' && text.includes(expectation.field)),
              `${what}: no message names ${expectation.field}: ${response.text}`,
            );
          }
        }
      });
    }

    it(`${name}: malformed JSON → 400, a 20 KiB body → 413, a body that is not JSON → 415 or 400, nothing echoed`, async () => {
      const auth = await authFor(endpoint);
      const json = { ...auth, 'content-type': 'application/json' };
      const validText = JSON.stringify(endpoint.valid);

      const malformed = await send(endpoint, json, `{"password": "${SECRET}", "email": `);
      assert.equal(malformed.status, 400, malformed.text);
      assert.equal(assertSafeRefusal(malformed, 'malformed JSON').message, Messages.malformedJson);

      const trailingComma = await send(endpoint, json, `{"password": "${SECRET}",}`);
      assert.equal(trailingComma.status, 400, trailingComma.text);
      assert.equal(
        assertSafeRefusal(trailingComma, 'trailing comma').message,
        Messages.malformedJson,
      );

      const large = await send(
        endpoint,
        json,
        JSON.stringify({ ...endpoint.valid, padding: `${SECRET}${'x'.repeat(20 * 1024)}` }),
      );
      assert.equal(large.status, 413, large.text);
      assertSafeRefusal(large, '20 KiB body');

      const empty = await send(endpoint, json, '');
      assert.equal(empty.status, 400, empty.text);
      assertSafeRefusal(empty, 'empty JSON body');

      if (endpoint.readsBody) {
        for (const notObject of ['[]', `"${SECRET}"`, 'null', '42']) {
          const response = await send(endpoint, json, notObject);
          assert.equal(response.status, 400, `${notObject}: ${response.text}`);
          assertSafeRefusal(response, `JSON ${notObject}`);
        }
      }

      const notJson: [string, Record<string, string>, string][] = [
        [
          'text/plain',
          { ...auth, 'content-type': 'text/plain' },
          validText.replace('}', `, "x": "${SECRET}"}`),
        ],
        [
          'form-encoded',
          { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          `password=${SECRET}&email=a%40example.com`,
        ],
        ['no Content-Type', { ...auth }, `{"password": "${SECRET}"}`],
      ];
      for (const [what, headers, body] of notJson) {
        const response = await send(endpoint, headers, body);
        assert.ok(
          [400, 415].includes(response.status),
          `${what}: ${response.status} ${response.text}`,
        );
        assertSafeRefusal(response, what);
      }
    });
  }

  it("token fields of exactly 4096 characters pass validation and get the endpoint's own answer", async () => {
    const { tokens } = await loggedInAccount(app, smtp);
    const longest = 'x'.repeat(4096);
    const refresh = await app.post<SessionBody>(Paths.refresh, { refresh: longest });
    assert.equal(refresh.status, 401, refresh.text);
    assert.equal(refresh.body.message, Messages.invalidRefreshToken);
    const logout = await app.post<SessionBody>(
      Paths.logout,
      { refresh_token: longest },
      { token: tokens.access },
    );
    assert.equal(logout.status, 400, logout.text);
    assert.equal(logout.body.message, Messages.invalidLogoutToken);
    const reset = await app.post<SessionBody>(Paths.resetPassword, {
      token: longest,
      new_password: freshPassword(),
    });
    assert.equal(reset.status, 400, reset.text);
    assert.equal(reset.body.message, Messages.invalidResetToken);
  });

  for (const slash of [true, false]) {
    it(`every path works ${slash ? 'with' : 'without'} the trailing slash, and unknown fields are ignored`, async () => {
      const path = (base: string) => (slash ? base : base.replace(/\/$/, ''));
      const extra = {
        is_active: false,
        id: '00000000-0000-0000-0000-000000000000',
        is_staff: true,
        role: 'admin',
      };
      const { email, password, user } = await loggedInAccount(app, smtp);
      const expect = (response: { status: number; text: string }, status: number, what: string) =>
        assert.equal(response.status, status, `${what}: ${response.text}`);

      const loginResponse = await app.post<SessionBody>(path(Paths.login), {
        email,
        password,
        ...extra,
      });
      expect(loginResponse, 200, 'login');
      const first = loginResponse.body as { access: string; refresh: string };
      rememberSecret(first.access, first.refresh);

      const refreshed = await app.post<SessionBody>(path(Paths.refresh), {
        refresh: first.refresh,
        ...extra,
      });
      expect(refreshed, 200, 'token/refresh');
      const second = refreshed.body as { access: string; refresh: string };
      rememberSecret(second.access, second.refresh);

      const me = await app.get<SessionBody>(path(Paths.me), { token: second.access });
      expect(me, 200, 'GET me');
      assert.equal(me.body.id, user.id);
      expect(
        await app.request<SessionBody>('PATCH', path(Paths.me), {
          token: second.access,
          body: { full_name: 'New Name', ...extra },
        }),
        200,
        'PATCH me',
      );
      const profile = await app.get<SessionBody>(Paths.me, { token: second.access });
      assert.deepEqual(
        [profile.body.id, profile.body.is_active],
        [user.id, true],
        'the unknown fields changed nothing',
      );

      const changedPassword = freshPassword();
      const changed = await app.post<SessionBody>(
        path(Paths.changePassword),
        { current_password: password, new_password: changedPassword, ...extra },
        { token: second.access },
      );
      expect(changed, 200, 'change-password');
      const third = changed.body as { access: string; refresh: string };
      rememberSecret(third.access, third.refresh);

      expect(
        await app.post<SessionBody>(
          path(Paths.logout),
          { refresh_token: third.refresh, ...extra },
          { token: third.access },
        ),
        200,
        'logout',
      );
      const fourth = await login(app, email, changedPassword);
      expect(
        await app.post<SessionBody>(path(Paths.logoutAll), extra, { token: fourth.access }),
        200,
        'logout-all',
      );

      const forgot = await app.post<SessionBody>(path(Paths.forgotPassword), { email, ...extra });
      expect(forgot, 200, 'forgot-password');
      assert.deepEqual(forgot.body, { message: Messages.resetLinkSent });
      const other = await loggedInAccount(app, smtp);
      const resetToken = await requestResetToken(app, smtp, other.email);
      const resetPassword = freshPassword();
      expect(
        await app.post<SessionBody>(path(Paths.resetPassword), {
          token: resetToken,
          new_password: resetPassword,
          ...extra,
        }),
        200,
        'reset-password',
      );
      const fifth = await login(app, other.email, resetPassword);
      await rotate(app, fifth.refresh);

      const deleted = await app.request<SessionBody>('DELETE', path(Paths.me), {
        token: fifth.access,
      });
      expect(deleted, 204, 'DELETE me');
    });
  }
});
