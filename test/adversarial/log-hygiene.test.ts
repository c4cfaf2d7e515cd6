import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MailboxlayerStub } from '../support/mailboxlayer-stub.js';
import { wrongCode } from '../support/registration.js';
import {
  freshEmail,
  freshPassword,
  loggedEvents,
  Paths,
  rawRequest,
  rememberSecret,
  registerAndConfirm,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { otpFrom } from '../support/smtp-sink.js';
import {
  assertDeactivatedStayOut,
  bearerEndpoints,
  pendingRegistration,
  registrationEndpoints,
  sessionEndpoints,
  type Doomed,
} from './support/fuzz-endpoints.js';
import { PASSWORD_MARKER } from './support/fuzz-values.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';

/** Recognisable anywhere; the service must never log it. */
const MAILBOXLAYER_KEY = `mblkey${randomBytes(12).toString('hex')}`;
const MAX_FAILURES = 5;
/** Runs of the short fuzz pass, per endpoint. */
const FUZZ_RUNS = 20;

/** A login the test sent and the line it must leave. */
type ExpectedEvent =
  | { event: 'login_succeeded'; user_id: string }
  | { event: 'login_failed'; email: string; reason: string };

describe('log hygiene: the whole flow, a fuzz pass, then every log line', () => {
  let stub: MailboxlayerStub;
  let world: FuzzWorld;
  /** The logins this file sent itself, in order, with the line each must leave. */
  const expected: ExpectedEvent[] = [];
  /** The address the fuzz pass's login cases aim at (locked out along the way). */
  let fuzzLoginTarget: string;
  /** The accounts DELETE me deactivated in the fuzz pass (their login attempts fail, logged). */
  let doomed: Doomed;

  async function loginAs(email: string, password: string): Promise<number> {
    const response = await world.app.post<SessionBody>(Paths.login, { email, password });
    if (response.status === 200) {
      const pair = response.body as TokenPairBody;
      rememberSecret(pair.access, pair.refresh);
      world.tokens.add(pair.access).add(pair.refresh);
    }
    return response.status;
  }

  before(async () => {
    stub = await new MailboxlayerStub().start();
    world = await FuzzWorld.start({
      MAILBOXLAYER_API_KEY: MAILBOXLAYER_KEY,
      MAILBOXLAYER_URL: stub.url,
      MAILBOXLAYER_TIMEOUT_MS: '300',
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
    });
  });
  after(async () => {
    await world.close();
    await stub.stop();
  });

  it('runs the whole flow: every branch that logs, Mailboxlayer and SMTP failures included', async () => {
    const { app, smtp } = world;

    // Registration, with every kind of Mailboxlayer failure (fail-open: accepted, logged).
    for (const mode of ['http-500', 'quota', 'invalid-key', 'not-json', 'timeout'] as const) {
      const email = freshEmail(mode);
      stub.modes.set(email, mode);
      const response = await app.post(Paths.register, {
        email,
        password: freshPassword(),
        full_name: 'Flaky Validation',
      });
      assert.equal(response.status, 200, `${mode}: ${response.text}`);
    }
    const undeliverable = freshEmail('undeliverable');
    stub.modes.set(undeliverable, 'undeliverable');
    const refused = await app.post(Paths.register, {
      email: undeliverable,
      password: freshPassword(),
      full_name: 'Nobody Home',
    });
    assert.equal(refused.status, 400, refused.text);

    // A registration with a wrong guess, a resend, then the code; an SMTP failure.
    const email = freshEmail('flow');
    const password = `${PASSWORD_MARKER} violet harbor`;
    rememberSecret(password);
    world.passwords.add(password);
    const register = await app.post(Paths.register, { email, password, full_name: 'Flow User' });
    assert.equal(register.status, 200, register.text);
    const first = otpFrom(await smtp.waitForMail(email));
    assert.equal((await app.post(Paths.confirmOtp, { email, otp: wrongCode(first) })).status, 400);
    assert.equal((await app.post('/api/users/resend-otp/', { email })).status, 200);
    const code = otpFrom(await smtp.waitForMail(email, 2));
    const confirm = await app.post<SessionBody>(Paths.confirmOtp, { email, otp: code });
    assert.equal(confirm.status, 201, confirm.text);
    world.confirmedEmails.add(email);
    const userId = confirm.body.user!.id;
    smtp.rejecting = true;
    const failedSend = await app.post(Paths.register, {
      email: freshEmail('smtp-down'),
      password: freshPassword(),
      full_name: 'Smtp Down',
    });
    assert.equal(failedSend.status, 503, failedSend.text);
    assert.equal((await app.post(Paths.forgotPassword, { email })).status, 200); // mail fails
    await sleep(200);
    smtp.rejecting = false;

    // Logins: a success, each kind of failure, then the lockout (429, even for the right one).
    assert.equal(await loginAs(email, password), 200);
    expected.push({ event: 'login_succeeded', user_id: userId });
    const unknown = freshEmail('unknown');
    assert.equal(await loginAs(unknown, password), 401);
    expected.push({ event: 'login_failed', email: unknown, reason: 'unknown_email' });
    for (let attempt = 0; attempt < MAX_FAILURES; attempt++) {
      assert.equal(await loginAs(email, `${PASSWORD_MARKER} wrong ${attempt}`), 401);
      expected.push({ event: 'login_failed', email, reason: 'wrong_password' });
    }
    for (const attempt of [`${PASSWORD_MARKER} wrong again`, password]) {
      assert.equal(await loginAs(email, attempt), 429);
      expected.push({ event: 'login_failed', email, reason: 'too_many_failures' });
    }
    // Mixed case and spaces: the line names the normalised address.
    const other = await registerAndConfirm(world.app, world.smtp, { fullName: 'Other Person' });
    world.confirmedEmails.add(other.email);
    world.passwords.add(other.password);
    assert.equal(await loginAs(`  ${other.email.toUpperCase()} `, other.password), 200);
    expected.push({ event: 'login_succeeded', user_id: other.user.id });

    // Sessions: refresh, reuse (theft), logout, logout-all, password change and reset, profile.
    const session = world.account;
    const rotated = await app.post<SessionBody>(Paths.refresh, { refresh: session.tokens.refresh });
    assert.equal(rotated.status, 200, rotated.text);
    world.tokens.add(rotated.body.access!).add(rotated.body.refresh!);
    assert.equal(
      (await app.post(Paths.refresh, { refresh: session.tokens.refresh })).status,
      401,
      'reuse of a rotated token',
    );
    world.revoked.push(
      { kind: 'refresh', token: session.tokens.refresh, why: 'rotation' },
      { kind: 'access', token: session.tokens.access, why: 'reuse detection' },
      { kind: 'refresh', token: rotated.body.refresh!, why: 'reuse detection' },
      { kind: 'access', token: rotated.body.access!, why: 'reuse detection' },
    );
    world.account.tokens = await world.login(session.email, session.password);
    const logout = await app.post(
      Paths.logout,
      { refresh_token: world.account.tokens.refresh },
      { token: world.account.tokens.access },
    );
    assert.equal(logout.status, 200, logout.text);
    await world.sessionRevoked('logout');
    assert.equal(
      (await app.post(Paths.logoutAll, {}, { token: world.account.tokens.access })).status,
      200,
    );
    await world.sessionRevoked('logout-all');
    const changedPassword = `${PASSWORD_MARKER} changed lantern`;
    const changed = await app.post(
      Paths.changePassword,
      { current_password: world.account.password, new_password: changedPassword },
      { token: world.account.tokens.access },
    );
    assert.equal(changed.status, 200, changed.text);
    world.takePair(changed, 'change-password', true);
    world.passwordChanged(changedPassword);
    const patched = await app.request('PATCH', Paths.me, {
      token: world.account.tokens.access,
      body: { full_name: 'Renamed Person' },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(
      (await app.request('DELETE', Paths.me, { token: unsignedToken(other) })).status,
      401,
      'a token that was never issued',
    );

    // Bodies a parser would quote, if it could: the password inside must not reach a log.
    for (const body of [
      `{"email": "${email}", "password": "${password}"`,
      `{"email": "${email}", "password": "${password}",}`,
    ]) {
      const response = await rawRequest(app, 'POST', Paths.login, {
        headers: { 'content-type': 'application/json' },
        body,
      });
      assert.equal(response.status, 400, response.text);
    }
  });

  it('runs a short fuzz pass over every endpoint on the same service', async (t) => {
    fuzzLoginTarget = (await registerAndConfirm(world.app, world.smtp)).email;
    world.confirmedEmails.add(fuzzLoginTarget);
    doomed = { account: await world.newAccount(), deactivated: [] };
    const endpoints: FuzzEndpoint[] = [
      ...registrationEndpoints(world, {
        confirm: await pendingRegistration(world, 'pending'),
        resend: await pendingRegistration(world, 'resend'),
      }),
      ...sessionEndpoints(world, () => fuzzLoginTarget),
      ...bearerEndpoints(world, doomed),
    ];
    for (const endpoint of endpoints) await world.fuzzEndpoint(t, endpoint, FUZZ_RUNS);
    await world.assertInvariants();
    await assertDeactivatedStayOut(world, doomed);
  });

  it('afterwards: no password, code, token, hash or Mailboxlayer key in any log line or on stdout/stderr', () => {
    assert.ok(
      stub.requests.some((query) => query.get('access_key') === MAILBOXLAYER_KEY),
      'the Mailboxlayer key was never used: this test would prove nothing about it',
    );
    world.assertCleanLogs();
    const everything = `${world.app.logger.text()}\n${world.outputText()}`;
    assert.ok(!everything.includes(MAILBOXLAYER_KEY), 'the Mailboxlayer key reached a log');
    assert.match(world.app.logger.text(), /Mailboxlayer unavailable/, 'the failures were logged');
  });

  it('afterwards: every login success and failure left one structured JSON line, and nothing else did', () => {
    const events = loggedEvents(world.app).filter((entry) =>
      ['login_succeeded', 'login_failed'].includes(entry.event as string),
    );
    for (const entry of events) {
      const keys = Object.keys(entry).sort();
      if (entry.event === 'login_succeeded') {
        assert.deepEqual(keys, ['event', 'user_id'], JSON.stringify(entry));
        assert.match(String(entry.user_id), /^[0-9a-f-]{36}$/);
      } else {
        assert.deepEqual(keys, ['email', 'event', 'reason'], JSON.stringify(entry));
        assert.ok(
          ['unknown_email', 'wrong_password', 'inactive', 'too_many_failures'].includes(
            entry.reason as string,
          ),
          JSON.stringify(entry),
        );
      }
    }

    // The logins of the flow, in order, each with its own line.
    const fromFlow = events.filter((entry) =>
      expected.some((wanted) => JSON.stringify(wanted) === JSON.stringify(entry)),
    );
    assert.deepEqual(fromFlow, expected);

    // Counted over everything: the world's own logins succeed, the fuzz pass's fail.
    const fuzzed = world.outcomes.get('login') ?? new Map<number, number>();
    const succeeded = expected.filter((entry) => entry.event === 'login_succeeded').length;
    const failed = expected.length - succeeded;
    assert.equal(
      events.filter((entry) => entry.event === 'login_succeeded').length,
      succeeded + world.loginsMade,
      'login_succeeded lines',
    );
    assert.equal(
      events.filter((entry) => entry.event === 'login_failed').length,
      failed + (fuzzed.get(401) ?? 0) + (fuzzed.get(429) ?? 0) + doomed.deactivated.length,
      'login_failed lines',
    );
  });
});

/** A made-up access token for an account, signed by nobody. */
function unsignedToken(account: { user: { id: string } }): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: account.user.id })}.${part({})}`;
}
