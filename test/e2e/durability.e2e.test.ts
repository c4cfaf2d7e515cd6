import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DataSource } from 'typeorm';
import { loadAppConfig } from '../../src/config/load-app-config.js';
import { buildDataSourceOptions } from '../../src/database/database.options.js';
import { ServiceProcess } from '../support/service-process.js';
import {
  freshEmail,
  freshPassword,
  loggedInAccount,
  login,
  Paths,
  requestResetToken,
  type Account,
  type SessionBody,
  type TokenPairBody,
} from '../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../support/smtp-sink.js';
import { TEST_JWT_SECRET, type ApiClient, type TestResponse } from '../support/test-app.js';
import { createTestStorage, TEST_PROFILE, type TestStorage } from '../support/test-storage.js';

const PER_KIND = 3;

/** What a request of the burst got: a response, or nothing (the process died under it). */
type Outcome = TestResponse<SessionBody> | 'no answer';

/** Sends a request of the burst; a connection cut by the kill is an outcome, not a failure. */
function attempt(send: () => Promise<TestResponse<SessionBody>>): Promise<Outcome> {
  return send().catch(() => 'no answer' as const);
}

/** Status of a login, 200 or 401 (anything else fails the test). */
async function loginStatus(service: ApiClient, email: string, password: string): Promise<number> {
  const response = await service.post<SessionBody>(Paths.login, { email, password });
  assert.ok([200, 401].includes(response.status), `login: ${response.status} ${response.text}`);
  return response.status;
}

/**
 * `kill -9` of the service in the middle of a burst of confirmations, refreshes, password resets
 * and logouts, then a restart on the same database (and Redis, in the scaled profile): every
 * flow is all-or-nothing.
 */
describe(`durability: kill -9 during a burst of writes, then restart (${TEST_PROFILE} profile)`, () => {
  let smtp: SmtpSink;
  let storage: TestStorage;
  let env: Record<string, string>;
  let service: ServiceProcess | undefined;

  before(async () => {
    smtp = await new SmtpSink().start();
    storage = await createTestStorage();
    env = {
      ...(storage.env as Record<string, string>),
      MAIL_URL: smtp.url,
      OTP_RESEND_COOLDOWN: '0',
    };
  });
  after(async () => {
    await service?.stop();
    await storage.remove();
    await smtp.stop();
  });

  it('one user per address, the old or the new password with the reset token unused or spent, revocations kept', async (t) => {
    const first = await ServiceProcess.start(env, storage.dir);
    service = first;

    // Pending registrations (in Redis with the scaled profile; in process, and so lost with the
    // process, in the embedded one).
    const pending: { email: string; password: string; otp: string }[] = [];
    for (let index = 0; index < PER_KIND; index++) {
      const email = freshEmail('pending');
      const password = freshPassword();
      const register = await first.post<SessionBody>(Paths.register, {
        email,
        password,
        full_name: 'Grace Hopper',
      });
      assert.equal(register.status, 200, register.text);
      pending.push({ email, password, otp: otpFrom(await smtp.waitForMail(email)) });
    }
    const resetting: (Account & { tokens: TokenPairBody; token: string; next: string })[] = [];
    for (let index = 0; index < PER_KIND; index++) {
      const account = await loggedInAccount(first, smtp);
      const token = await requestResetToken(first, smtp, account.email);
      resetting.push({ ...account, token, next: freshPassword() });
    }
    const refreshing = [];
    const loggingOut = [];
    for (let index = 0; index < PER_KIND; index++) {
      refreshing.push(await loggedInAccount(first, smtp));
      loggingOut.push(await loggedInAccount(first, smtp));
    }
    // Sessions logged out before the burst, answered: revocations the crash must not undo.
    const loggedOutBefore: TokenPairBody[] = [];
    for (const entry of loggingOut) {
      const pair = await login(first, entry.email, entry.password);
      const logout = await first.post<SessionBody>(
        Paths.logout,
        { refresh_token: pair.refresh },
        { token: pair.access },
      );
      assert.equal(logout.status, 200, logout.text);
      loggedOutBefore.push(pair);
    }

    // The burst: every write twice at once, as retrying clients or tabs do, the kinds mixed.
    const live = first;
    const twice = <T>(make: () => Promise<T>) => [make(), make()];
    const sends: (() => void)[] = [];
    /** Queues a request; it goes out with the others, in an order that mixes the kinds. */
    const queued = (send: () => Promise<TestResponse<SessionBody>>): Promise<Outcome> =>
      new Promise((resolve) => sends.push(() => void attempt(send).then(resolve)));
    const burst = {
      confirms: pending.flatMap((entry) =>
        twice(() =>
          queued(() =>
            live.post(
              Paths.confirmOtp,
              { email: entry.email, otp: entry.otp },
              { timeoutMs: 15_000 },
            ),
          ),
        ),
      ),
      resets: resetting.flatMap((entry) =>
        twice(() =>
          queued(() =>
            live.post(
              Paths.resetPassword,
              { token: entry.token, new_password: entry.next },
              { timeoutMs: 15_000 },
            ),
          ),
        ),
      ),
      refreshes: refreshing.flatMap((entry) =>
        twice(() =>
          queued(() =>
            live.post(Paths.refresh, { refresh: entry.tokens.refresh }, { timeoutMs: 15_000 }),
          ),
        ),
      ),
      logouts: loggingOut.map((entry) =>
        queued(() =>
          live.post(
            Paths.logout,
            { refresh_token: entry.tokens.refresh },
            { token: entry.tokens.access, timeoutMs: 15_000 },
          ),
        ),
      ),
    };
    const all = Object.values(burst).flat();
    let answered = 0;
    for (const request of all) void request.then(() => answered++);
    // Any order must keep the invariants below; a shuffled one mixes the kinds.
    for (let index = sends.length - 1; index > 0; index--) {
      const other = randomInt(index + 1);
      [sends[index], sends[other]] = [sends[other], sends[index]];
    }
    for (const send of sends) send();
    // Killed once about half the answers are in, while the others are being worked on.
    const started = Date.now();
    while (answered < all.length / 2 && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const exit = await live.kill();
    assert.equal(exit.signal, 'SIGKILL');

    const outcomes = Object.fromEntries(
      await Promise.all(
        Object.entries(burst).map(async ([kind, requests]) => [kind, await Promise.all(requests)]),
      ),
    ) as Record<keyof typeof burst, Outcome[]>;
    const summary = (list: Outcome[]) =>
      list.map((outcome) => (outcome === 'no answer' ? '-' : outcome.status)).join(' ');
    for (const [kind, list] of Object.entries(outcomes)) t.diagnostic(`${kind}: ${summary(list)}`);
    for (const outcome of Object.values(outcomes).flat()) {
      if (outcome !== 'no answer') {
        assert.ok(outcome.status < 500, `a 5xx in the burst: ${outcome.status} ${outcome.text}`);
      }
    }

    service = await ServiceProcess.start(env, storage.dir);
    const restarted = service;
    assert.equal((await restarted.get('/health')).status, 200);

    // One user per address, and an answered confirmation is an account.
    const config = loadAppConfig({ ...env, JWT_SECRET: TEST_JWT_SECRET });
    const database = await new DataSource(buildDataSourceOptions(config.database)).initialize();
    try {
      const duplicates = await database.query<unknown[]>(
        'SELECT email FROM users GROUP BY email HAVING COUNT(*) > 1',
      );
      assert.deepEqual(duplicates, []);
    } finally {
      await database.destroy();
    }
    for (const [index, entry] of pending.entries()) {
      const answers = outcomes.confirms.slice(index * 2, index * 2 + 2);
      const confirmed = answers.some(
        (outcome) => outcome !== 'no answer' && outcome.status === 201,
      );
      const status = await loginStatus(restarted, entry.email, entry.password);
      if (confirmed) assert.equal(status, 200, `${entry.email} was confirmed, but cannot log in`);
    }

    // The old password and an unused token, or the new password and a spent token.
    for (const [index, entry] of resetting.entries()) {
      const answers = outcomes.resets.slice(index * 2, index * 2 + 2);
      const acknowledged = answers.some(
        (outcome) => outcome !== 'no answer' && outcome.status === 200,
      );
      const oldWorks = (await loginStatus(restarted, entry.email, entry.password)) === 200;
      const newWorks = (await loginStatus(restarted, entry.email, entry.next)) === 200;
      assert.notEqual(oldWorks, newWorks, `${entry.email}: old ${oldWorks}, new ${newWorks}`);
      if (acknowledged) assert.ok(newWorks, `${entry.email}: an answered reset was lost`);
      const reuse = await restarted.post<SessionBody>(Paths.resetPassword, {
        token: entry.token,
        new_password: freshPassword(),
      });
      assert.equal(
        reuse.status,
        oldWorks ? 200 : 400,
        `${entry.email}: the ${oldWorks ? 'old' : 'new'} password, and the token answers ${reuse.status}`,
      );
      if (newWorks) {
        // The reset revoked every session of the user.
        const me = await restarted.get(Paths.me, { token: entry.tokens.access });
        assert.equal(me.status, 401, me.text);
      }
    }

    // Answered rotations and logouts are revocations that survived.
    for (const [index, entry] of refreshing.entries()) {
      const answers = outcomes.refreshes.slice(index * 2, index * 2 + 2);
      const rotatedTo = answers.find(
        (outcome) => outcome !== 'no answer' && outcome.status === 200,
      );
      const again = await restarted.post<SessionBody>(Paths.refresh, {
        refresh: entry.tokens.refresh,
      });
      if (rotatedTo !== undefined) assert.equal(again.status, 401, again.text);
      else assert.ok([200, 401].includes(again.status), again.text);
    }
    for (const pair of loggedOutBefore) {
      const me = await restarted.get(Paths.me, { token: pair.access });
      assert.equal(me.status, 401, `a logged-out access token works after the restart: ${me.text}`);
      const again = await restarted.post<SessionBody>(Paths.refresh, { refresh: pair.refresh });
      assert.equal(again.status, 401, again.text);
    }
    for (const [index, entry] of loggingOut.entries()) {
      const answer = outcomes.logouts[index];
      if (answer === 'no answer' || answer.status !== 200) continue;
      const me = await restarted.get(Paths.me, { token: entry.tokens.access });
      assert.equal(me.status, 401, `a logged-out access token works after the restart: ${me.text}`);
      const again = await restarted.post<SessionBody>(Paths.refresh, {
        refresh: entry.tokens.refresh,
      });
      assert.equal(again.status, 401, again.text);
    }
  });
});
