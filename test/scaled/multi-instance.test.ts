import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MailboxlayerStub } from '../support/mailboxlayer-stub.js';
import { RedisServer } from '../support/redis-server.js';
import { ServiceProcess } from '../support/service-process.js';
import { OTP_AUTH_MIGRATIONS } from '../../src/database/otp-auth.schema.js';
import {
  freshEmail,
  freshPassword,
  login,
  Messages,
  Paths,
  refresh,
  registerAndConfirm,
  requestResetToken,
  rotate,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { createPostgresDatabase, redisKeys } from '../support/test-storage.js';
import type { ApiClient, TestResponse } from '../support/test-app.js';

const OTP_MAX_ATTEMPTS = 5;
const LOGIN_MAX_FAILURES = 3;
const RATE_LIMIT_PER_IP = 60;

/**
 * Two instances of the built service, each its own process (own Nest logger, own passport
 * registry, own clock zone), behind no load balancer: the tests send each request of a flow to
 * the instance a load balancer might have picked. They share one PostgreSQL database and one
 * Redis (a server of this test's own, so that every key in it can be accounted for).
 */
describe('several instances behind a load balancer (PostgreSQL + Redis)', () => {
  let smtp: SmtpSink;
  let stub: MailboxlayerStub;
  let redis: RedisServer;
  let database: { url: string; drop(): Promise<void> };
  let dir: string;
  const keyPrefix = `otp-auth-multi:${randomBytes(4).toString('hex')}:`;
  let a: ServiceProcess;
  let b: ServiceProcess;

  before(async () => {
    smtp = await new SmtpSink().start();
    stub = await new MailboxlayerStub().start();
    redis = await RedisServer.start();
    database = await createPostgresDatabase(`otp_auth_multi_${randomBytes(4).toString('hex')}`);
    dir = mkdtempSync(join(tmpdir(), 'otp-auth-multi-'));
    const env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: keyPrefix,
      MAIL_URL: smtp.url,
      MAILBOXLAYER_API_KEY: 'multi-instance-test-key',
      MAILBOXLAYER_URL: stub.url,
      OTP_RESEND_COOLDOWN: '0',
      OTP_MAX_ATTEMPTS: String(OTP_MAX_ATTEMPTS),
      LOGIN_MAX_FAILURES: String(LOGIN_MAX_FAILURES),
      RATE_LIMIT_PER_IP: String(RATE_LIMIT_PER_IP),
      // Each test sends its requests from an address of its own (X-Forwarded-For), so that the
      // per-IP limit is one budget per test: the test client is the one proxy in front.
      TRUST_PROXY: '1',
    };
    // Started together on an empty database: both run the migrations at once. The clocks are set
    // to different zones, as on hosts configured apart.
    [a, b] = await Promise.all([
      ServiceProcess.start({ ...env, TZ: 'Asia/Tokyo' }, dir),
      ServiceProcess.start({ ...env, TZ: 'America/Los_Angeles' }, dir),
    ]);
  });
  after(async () => {
    const exits = await Promise.all([a, b].map((instance) => instance?.stop()));
    await database?.drop();
    await redis?.stop();
    await stub?.stop();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
    for (const [name, instance] of [
      ['A', a],
      ['B', b],
    ] as const) {
      assert.doesNotMatch(
        instance.output,
        /Unhandled error|ERROR/,
        `instance ${name} logged an error`,
      );
    }
    assert.deepEqual(exits, [
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  /** Clients of A and B sending from an address no other test uses. */
  function clients(): [ApiClient, ApiClient] {
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    return [a.withHeaders({ 'x-forwarded-for': ip }), b.withHeaders({ 'x-forwarded-for': ip })];
  }

  it('both instances started on one empty database (the migrations ran once) and are healthy', async () => {
    for (const instance of [a, b]) {
      const health = await instance.get<{ status: string }>('/health');
      assert.equal(health.status, 200, health.text);
      assert.equal(health.body.status, 'ok');
    }
    assert.equal(
      [a, b].filter((instance) =>
        instance.output.includes(`Ran ${OTP_AUTH_MIGRATIONS.length} migration(s)`),
      ).length,
      1,
      `exactly one instance ran the migrations:\n${a.output}\n${b.output}`,
    );
    for (const instance of [a, b]) {
      assert.doesNotMatch(instance.output, /failed|Unable to connect|Retrying/, instance.output);
    }
  });

  it('register on A, confirm on B: the account exists for both', async () => {
    const [onA, onB] = clients();
    const email = freshEmail('a-then-b');
    const password = freshPassword();
    const register = await onA.post<SessionBody>(Paths.register, {
      email,
      password,
      full_name: 'Grace Hopper',
    });
    assert.equal(register.status, 200, register.text);
    const otp = otpFrom(await smtp.waitForMail(email));

    const confirm = await onB.post<SessionBody>(Paths.confirmOtp, { email, otp });

    assert.equal(confirm.status, 201, confirm.text);
    await login(onA, email, password);
    await login(onB, email, password);
  });

  it('e-mail change asked on A, confirmed on B: both show the new address at once, log in with it only, and the old reset token is refused on A', async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const pair = await login(onB, account.email, account.password);
    // Both instances have the profile cached before the change.
    for (const instance of [onA, onB]) {
      const me = await instance.get<SessionBody>(Paths.me, { token: pair.access });
      assert.equal(me.body.email, account.email, me.text);
    }
    const resetToken = await requestResetToken(onA, smtp, account.email);
    const newEmail = freshEmail('moved');
    const requested = await onA.post<SessionBody>(
      Paths.emailChange,
      { new_email: newEmail, password: account.password },
      { token: pair.access },
    );
    assert.equal(requested.status, 200, requested.text);
    const otp = otpFrom(await smtp.waitForMail(newEmail));
    const mailsBefore = smtp.mailsTo(account.email).length;

    const confirmed = await onB.post<SessionBody>(
      Paths.emailChangeConfirm,
      { otp },
      { token: pair.access },
    );
    assert.equal(confirmed.status, 200, confirmed.text);
    assert.equal(confirmed.body.email, newEmail);

    for (const instance of [onA, onB]) {
      const me = await instance.get<SessionBody>(Paths.me, { token: pair.access });
      assert.equal(me.body.email, newEmail, me.text);
      await login(instance, newEmail, account.password);
      const old = await instance.post<SessionBody>(Paths.login, {
        email: account.email,
        password: account.password,
      });
      assert.equal(old.status, 401, old.text);
    }
    const reset = await onA.post<SessionBody>(Paths.resetPassword, {
      token: resetToken,
      new_password: freshPassword(),
    });
    assert.equal(reset.status, 400, reset.text);
    assert.equal(reset.body.message, Messages.invalidResetToken);
    const alert = await smtp.waitForMail(account.email, mailsBefore + 1);
    assert.equal(alert.subject, 'The e-mail address of your account was changed');
  });

  it('login on A, refresh on B, logout on A: that access token is refused on B at once', async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const first = await login(onA, account.email, account.password);
    const second = await rotate(onB, first.refresh);
    assert.equal((await onA.get(Paths.me, { token: second.access })).status, 200);
    assert.equal((await onB.get(Paths.me, { token: second.access })).status, 200);

    const logout = await onA.post<SessionBody>(
      Paths.logout,
      { refresh_token: second.refresh },
      { token: second.access },
    );
    assert.equal(logout.status, 200, logout.text);

    const me = await onB.get<SessionBody>(Paths.me, { token: second.access });
    assert.equal(me.status, 401, `B still accepts the access token: ${me.text}`);
    const again = await refresh(onB, second.refresh);
    assert.equal(again.status, 401, again.text);
    assert.equal(again.body.message, Messages.invalidRefreshToken);
  });

  it("a session revoked from the list on A: its access token refused on B at once, the caller's own works on both", async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const caller = await login(onA, account.email, account.password);
    const other = await login(onB, account.email, account.password);
    assert.equal((await onB.get(Paths.me, { token: other.access })).status, 200);
    const list = await onB.get<{ sessions: { id: string; current: boolean }[] }>(Paths.sessions, {
      token: caller.access,
    });
    assert.equal(list.status, 200, list.text);
    const target = list.body.sessions.find((session) => !session.current);
    assert.ok(target, list.text);

    const revoke = await onA.request<SessionBody>('DELETE', `${Paths.sessions}${target.id}/`, {
      token: caller.access,
    });
    assert.equal(revoke.status, 204, revoke.text);

    const me = await onB.get<SessionBody>(Paths.me, { token: other.access });
    assert.equal(me.status, 401, `B still accepts the revoked session's access token: ${me.text}`);
    assert.equal((await refresh(onB, other.refresh)).status, 401);
    for (const instance of [onA, onB]) {
      assert.equal((await instance.get(Paths.me, { token: caller.access })).status, 200);
    }
  });

  it(`OTP guesses split across A and B: at most OTP_MAX_ATTEMPTS (${OTP_MAX_ATTEMPTS}) are judged`, async () => {
    const [onA, onB] = clients();
    const email = freshEmail('guesses');
    const register = await onA.post<SessionBody>(Paths.register, {
      email,
      password: freshPassword(),
      full_name: 'Grace Hopper',
    });
    assert.equal(register.status, 200, register.text);
    const otp = otpFrom(await smtp.waitForMail(email));
    const wrong = [...otp].map((digit) => String((Number(digit) + 1) % 10)).join('');

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, guess) =>
        (guess % 2 ? onB : onA).post<SessionBody & { attempts_remaining?: number }>(
          Paths.confirmOtp,
          { email, otp: wrong },
        ),
      ),
    );

    const statuses = responses.map((response) => response.status);
    assert.ok(
      statuses.every((status) => status === 400 || status === 429),
      statuses.join(','),
    );
    const judged = responses.filter((response) => response.body.message === 'Invalid OTP.');
    assert.ok(judged.length <= OTP_MAX_ATTEMPTS - 1, `${judged.length} wrong guesses judged`);
    const remaining = judged.map((response) => response.body.attempts_remaining);
    assert.equal(new Set(remaining).size, remaining.length, `remaining: ${remaining.join(',')}`);
    assert.ok(statuses.includes(429), 'no guess was told the attempts are used up');
    // The right code no longer works, on either instance.
    for (const instance of [onA, onB]) {
      const late = await instance.post<SessionBody>(Paths.confirmOtp, { email, otp });
      assert.equal(late.status, 400, late.text);
    }
  });

  it('the owner registers on A, someone else registers the address on B; the owner confirms on B with registration_id and the account has the owner’s password', async () => {
    const [onA, onB] = clients();
    const email = freshEmail('two-attempts');
    const ownerPassword = freshPassword();
    const otherPassword = freshPassword();
    const mine = await onA.post<SessionBody & { registration_id?: string }>(Paths.register, {
      email,
      password: ownerPassword,
      full_name: 'Olive Owner',
    });
    assert.equal(mine.status, 200, mine.text);
    const ownerCode = otpFrom(await smtp.waitForMail(email));
    const theirs = await onB.post<SessionBody>(Paths.register, {
      email,
      password: otherPassword,
      full_name: 'Mallory',
    });
    assert.equal(theirs.status, 200, theirs.text);
    const otherCode = otpFrom(await smtp.waitForMail(email, 2));

    const crossed = await onA.post<SessionBody>(Paths.confirmOtp, {
      email,
      otp: otherCode,
      registration_id: mine.body.registration_id,
    });
    const confirm = await onB.post<SessionBody>(Paths.confirmOtp, {
      email,
      otp: ownerCode,
      registration_id: mine.body.registration_id,
    });

    assert.equal(crossed.status, 400, crossed.text);
    assert.equal(confirm.status, 201, confirm.text);
    await login(onA, email, ownerPassword);
    const refused = await onB.post<SessionBody>(Paths.login, { email, password: otherPassword });
    assert.equal(refused.status, 401, refused.text);
  });

  it('the caps per address hold across A and B: of 20 registrations at once 5 send a code; wrong guesses over registrations on A and B stop at 10', async () => {
    const [onA, onB] = clients();
    const register = (instance: ApiClient, email: string) =>
      instance.post<SessionBody>(Paths.register, {
        email,
        password: freshPassword(),
        full_name: 'Grace Hopper',
      });
    const burstEmail = freshEmail('address-sends');

    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, index) => register(index % 2 ? onB : onA, burstEmail)),
    );

    const statuses = burst.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 200).length, 5, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 429).length, 15, statuses.join(','));

    const email = freshEmail('address-failures');
    const answers: string[] = [];
    for (const [round, instance] of [onA, onB].entries()) {
      assert.equal((await register(instance, email)).status, 200);
      const code = otpFrom(await smtp.waitForMail(email, round + 1));
      const wrong = [...code].map((digit) => String((Number(digit) + 1) % 10)).join('');
      for (let guess = 0; guess < 5; guess++) {
        const response = await (guess % 2 ? onB : onA).post<SessionBody>(Paths.confirmOtp, {
          email,
          otp: wrong,
        });
        answers.push(`${response.status} ${String(response.body.message)}`);
      }
    }
    assert.equal(
      answers.at(-1),
      '429 Too many wrong codes for this address. Please try again later.',
      answers.join(' | '),
    );
    const third = await register(onA, email);
    assert.equal(third.status, 429, third.text);
    assert.equal(
      third.body.message,
      'Too many wrong codes for this address. Please try again later.',
    );
  });

  it(`login failures count across A and B: after ${LOGIN_MAX_FAILURES}, even the right password gets 429`, async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    for (let failure = 0; failure < LOGIN_MAX_FAILURES; failure++) {
      const wrong = await (failure % 2 ? onB : onA).post<SessionBody>(Paths.login, {
        email: account.email,
        password: 'not the password at all',
      });
      assert.equal(wrong.status, 401, wrong.text);
    }

    for (const instance of [onA, onB]) {
      const locked = await instance.post<SessionBody>(Paths.login, {
        email: account.email,
        password: account.password,
      });
      assert.equal(locked.status, 429, locked.text);
      assert.match(locked.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    }
  });

  it('20 parallel refreshes of one token, split across A and B: exactly one successor', async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const { refresh: token } = await login(onB, account.email, account.password);

    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) => refresh(index % 2 ? onB : onA, token)),
    );

    const statuses = responses.map((response) => response.status);
    assert.equal(statuses.filter((status) => status === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((status) => status === 401).length, 19, statuses.join(','));
  });

  it(`the per-IP limit (${RATE_LIMIT_PER_IP} a minute) is one budget across A and B`, async () => {
    const [onA, onB] = clients();
    const body = { email: freshEmail('per-ip'), otp: '123456' };
    const statuses: number[] = [];
    for (let request = 0; request < RATE_LIMIT_PER_IP; request++) {
      statuses.push((await (request % 2 ? onB : onA).post(Paths.confirmOtp, body)).status);
    }
    assert.ok(!statuses.includes(429), `limited within the budget: ${statuses.join(',')}`);

    for (const instance of [onA, onB]) {
      const limited = await instance.post(Paths.confirmOtp, body);
      assert.equal(limited.status, 429, limited.text);
    }
  });

  it('forgot password on A (Tokyo time), reset on B (Los Angeles time): the token works once, the new password on both', async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const token = await requestResetToken(onA, smtp, account.email);
    const newPassword = freshPassword();

    const reset = await onB.post<SessionBody>(Paths.resetPassword, {
      token,
      new_password: newPassword,
    });

    assert.equal(reset.status, 200, reset.text);
    const again = await onA.post<SessionBody>(Paths.resetPassword, {
      token,
      new_password: freshPassword(),
    });
    assert.equal(again.status, 400, again.text);
    assert.equal(again.body.message, Messages.invalidResetToken);
    await login(onA, account.email, newPassword);
    await login(onB, account.email, newPassword);
    const old = await onB.post<SessionBody>(Paths.login, {
      email: account.email,
      password: account.password,
    });
    assert.equal(old.status, 401, old.text);
  });

  it('every key the instances write to Redis is under REDIS_KEY_PREFIX, the cache and the limits included', async () => {
    const [onA, onB] = clients();
    const account = await registerAndConfirm(onA, smtp);
    const pending = await onB.post(Paths.register, {
      email: freshEmail('pending'),
      password: freshPassword(),
      full_name: 'Grace Hopper',
    });
    assert.equal(pending.status, 200, pending.text);
    const pair: TokenPairBody = await login(onB, account.email, account.password);
    assert.equal((await onA.get(Paths.me, { token: pair.access })).status, 200);
    const failed: TestResponse = await onB.post(Paths.login, {
      email: account.email,
      password: 'not the password at all',
    });
    assert.equal(failed.status, 401);

    const all = await redisKeys(redis.url, '');
    const outside = all.filter((key) => !key.startsWith(keyPrefix));
    assert.deepEqual(outside, [], 'keys outside the prefix');
    for (const kind of ['registration:', 'login-failures:', 'throttle:', 'revocation:', 'cache:']) {
      assert.ok(
        all.some((key) => key.startsWith(keyPrefix + kind)),
        `no ${kind} key: ${all.join(', ')}`,
      );
    }
  });
});
