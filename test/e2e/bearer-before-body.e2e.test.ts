import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertClientError, assertError } from '../support/http-assertions.js';
import {
  assertCleanLogs,
  loggedInAccount,
  Paths,
  resign,
  sessionEnv,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

/** The Bearer routes that take a body, or could be sent one. */
const BEARER_WITH_BODY: { method: string; path: string }[] = [
  { method: 'POST', path: Paths.logoutAll },
  { method: 'DELETE', path: Paths.me },
  { method: 'PATCH', path: Paths.me },
  { method: 'POST', path: Paths.changePassword },
  { method: 'POST', path: Paths.logout },
  { method: 'POST', path: Paths.emailChange },
  { method: 'POST', path: Paths.emailChangeConfirm },
];

/** Bodies that, read, would get a 400, 413 or 415. */
const BAD_BODIES: { what: string; body: string | Uint8Array; contentType?: string }[] = [
  { what: 'malformed JSON', body: '{"full_name": ', contentType: 'application/json' },
  {
    what: 'a 20 KiB body',
    body: JSON.stringify({ full_name: 'x'.repeat(20 * 1024) }),
    contentType: 'application/json',
  },
  { what: 'text/plain', body: 'hello', contentType: 'text/plain' },
  { what: 'form-encoded', body: 'full_name=Ada', contentType: 'application/x-www-form-urlencoded' },
  {
    what: 'deeply nested JSON',
    body: `{"a":${'['.repeat(3000)}${']'.repeat(3000)}}`,
    contentType: 'application/json',
  },
  { what: 'no Content-Type', body: new TextEncoder().encode('{"full_name":"Ada"}') },
];

describe('Bearer routes answer an unauthenticated request with 401 before reading its body', () => {
  let smtp: SmtpSink;
  let app: TestApp;
  let live: string;
  let revoked: string;
  let forged: string;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start(sessionEnv(smtp));
    live = (await loggedInAccount(app, smtp)).tokens.access;
    revoked = (await loggedInAccount(app, smtp)).tokens.access;
    const logoutAll = await app.post(Paths.logoutAll, undefined, { token: revoked });
    assert.equal(logoutAll.status, 200, logoutAll.text);
    forged = resign(live, {}, { secret: 'not-the-secret-of-this-service-0123456789' });
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
    await smtp.stop();
  });

  for (const { method, path } of BEARER_WITH_BODY) {
    it(`${method} ${path}: 401 with its challenge for no, a malformed, a forged or a revoked token, whatever the body`, async () => {
      const callers: [who: string, token: string | undefined, challenge: RegExp][] = [
        ['no token', undefined, /^Bearer realm="otp-auth"$/],
        ['not a JWT', 'not-a-token', /error="invalid_token"/],
        ['a forged token', forged, /error="invalid_token"/],
        ['a revoked token', revoked, /error="invalid_token"/],
      ];
      for (const [who, token, challenge] of callers) {
        for (const { what, body, contentType } of BAD_BODIES) {
          const response = await app.request(method, path, {
            body,
            token,
            headers: contentType ? { 'content-type': contentType } : {},
          });
          assertError(response, 401);
          assert.match(
            response.headers.get('www-authenticate') ?? '',
            challenge,
            `${who}, ${what}`,
          );
        }
      }
    });
  }

  it('with a live token the body is judged as before: 400, 413 or 415', async () => {
    for (const { what, body, contentType } of BAD_BODIES) {
      const response = await app.request('PATCH', Paths.me, {
        body,
        token: live,
        headers: contentType ? { 'content-type': contentType } : {},
      });
      assertClientError(response);
      assert.ok([400, 413, 415].includes(response.status), `${what}: ${response.status}`);
    }
    const profile = await app.get(Paths.me, { token: live });
    assert.equal(profile.status, 200, 'the live token still works');
    assert.equal(profile.body.full_name, 'Grace Hopper', 'no bad body changed the profile');
  });
});
