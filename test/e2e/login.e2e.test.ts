import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  assertCleanLogs,
  freshEmail,
  freshPassword,
  login,
  loggedInAccount,
  Messages,
  Paths,
  payloadOf,
  registerAndConfirm,
  sessionEnv,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

const MAX_FAILURES = 3;
const TOO_MANY_FAILURES = 'Too many failed login attempts. Please try again later.';

// One app at a time: apps in one process share Nest's logger and passport's strategy registry.
let smtp: SmtpSink;
before(async () => {
  smtp = await new SmtpSink().start();
});
after(async () => {
  await smtp.stop();
});

describe('POST /api/users/login/', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { LOGIN_MAX_FAILURES: String(MAX_FAILURES) }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('answers 200 with an access and a refresh token, token_type, expires_in and Cache-Control: no-store', async () => {
    const { email, password, user } = await registerAndConfirm(app, smtp);
    const response = await app.post<TokenPairBody>(Paths.login, { email, password });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.deepEqual(Object.keys(response.body).sort(), [
      'access',
      'expires_in',
      'refresh',
      'token_type',
    ]);
    assert.equal(response.body.token_type, 'Bearer');
    assert.equal(response.body.expires_in, 900);
    const access = payloadOf(response.body.access);
    const refresh = payloadOf(response.body.refresh);
    assert.equal(access.token_type, 'access');
    assert.equal(refresh.token_type, 'refresh');
    assert.equal(access.sub, user.id);
    assert.equal(access.iss, 'otp-auth');
    assert.equal(access.aud, 'otp-auth');
    assert.equal(access.fam, refresh.fam, 'both tokens belong to the same session');
    assert.equal(
      (refresh.exp as number) - (refresh.iat as number),
      86400,
      'refresh lifetime: 1 day',
    );
  });

  it('trims and lower-cases the e-mail before the lookup', async () => {
    const { email, password } = await registerAndConfirm(app, smtp);
    await login(app, `  ${email.toUpperCase()} `, password);
  });

  it('answers unknown e-mail, wrong password and deactivated account with the same 401 body', async () => {
    const known = await registerAndConfirm(app, smtp);
    const deactivated = await loggedInAccount(app, smtp);
    assert.equal(
      (await app.request<SessionBody>('DELETE', Paths.me, { token: deactivated.tokens.access }))
        .status,
      204,
    );

    const unknown = await app.post<SessionBody>(Paths.login, {
      email: freshEmail('nobody'),
      password: freshPassword(),
    });
    const wrong = await app.post<SessionBody>(Paths.login, {
      email: known.email,
      password: freshPassword(),
    });
    const inactive = await app.post<SessionBody>(Paths.login, {
      email: deactivated.email,
      password: deactivated.password,
    });

    const expected = {
      statusCode: 401,
      error: 'Unauthorized',
      message: Messages.invalidCredentials,
    };
    for (const [what, response] of Object.entries({ unknown, wrong, inactive })) {
      assert.equal(response.status, 401, `${what}: ${response.text}`);
      assert.deepEqual(response.body, expected, what);
    }
    assert.equal(unknown.text, wrong.text);
    assert.equal(wrong.text, inactive.text);
  });

  it(`locks an account for a while after ${MAX_FAILURES} failures, even for the right password, and no other account`, async () => {
    const victim = await registerAndConfirm(app, smtp);
    const bystander = await registerAndConfirm(app, smtp);
    for (let attempt = 1; attempt <= MAX_FAILURES; attempt += 1) {
      const response = await app.post<SessionBody>(Paths.login, {
        email: victim.email,
        password: freshPassword(),
      });
      assert.equal(response.status, 401, `failure ${attempt}: ${response.text}`);
    }

    const locked = await app.post<SessionBody>(Paths.login, {
      email: victim.email,
      password: victim.password,
    });
    assert.equal(locked.status, 429, locked.text);
    assert.equal(locked.body.message, TOO_MANY_FAILURES);
    const retryAfter = locked.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, 'Retry-After is a number of seconds');
    assert.ok(Number(retryAfter) > 0 && Number(retryAfter) <= 15 * 60, `Retry-After ${retryAfter}`);

    // The same account under another spelling of its address is the same account.
    const respelled = await app.post<SessionBody>(Paths.login, {
      email: victim.email.toUpperCase(),
      password: victim.password,
    });
    assert.equal(respelled.status, 429);

    await login(app, bystander.email, bystander.password);
  });

  it(`evaluates at most ${MAX_FAILURES} of 10 parallel wrong passwords for one account`, async () => {
    const { email } = await registerAndConfirm(app, smtp);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        app.post<SessionBody>(Paths.login, { email, password: freshPassword() }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    const unauthorized = statuses.filter((status) => status === 401).length;
    const limited = statuses.filter((status) => status === 429).length;
    assert.equal(unauthorized + limited, 10, `unexpected statuses: ${statuses.join(',')}`);
    assert.ok(
      unauthorized >= 1 && unauthorized <= MAX_FAILURES,
      `${unauthorized} passwords were evaluated`,
    );
  });
});

describe('POST /api/users/login/ with RATE_LIMIT_PER_IP=5', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start(sessionEnv(smtp, { RATE_LIMIT_PER_IP: '5' }));
  });
  after(async () => {
    assertCleanLogs(app);
    await app.close();
  });

  it('answers the 6th POST within a minute from one IP with 429 and Retry-After', async () => {
    for (let request = 1; request <= 5; request += 1) {
      const response = await app.post<SessionBody>(Paths.login, {
        email: freshEmail('ip'),
        password: freshPassword(),
      });
      assert.equal(response.status, 401, `request ${request}: ${response.text}`);
    }
    const over = await app.post<SessionBody>(Paths.login, {
      email: freshEmail('ip'),
      password: freshPassword(),
    });
    assert.equal(over.status, 429, over.text);
    assert.match(
      over.headers.get('retry-after') ?? '',
      /^\d+$/,
      'Retry-After is a number of seconds',
    );
  });
});
