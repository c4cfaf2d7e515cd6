import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { User } from '../../../src/users/user.entity.js';
import { startOutputCapture, type OutputCapture } from '../../support/console-capture.js';
import { assertErrorShape, wholeResponse } from '../../support/http-assertions.js';
import {
  freshEmail,
  freshPassword,
  login,
  Paths,
  registerAndConfirm,
  rememberSecret,
  requestResetToken,
  sessionEnv,
  type Account,
  type TokenPairBody,
} from '../../support/session-helpers.js';
import { otpFrom, SmtpSink } from '../../support/smtp-sink.js';
import { TestApp, type TestResponse } from '../../support/test-app.js';
import { fuzz } from './fuzz-runner.js';
import {
  effectiveBody,
  fuzzCases,
  PASSWORD_MARKER,
  render,
  type FuzzBody,
  type FuzzCase,
  type Pairs,
} from './fuzz-values.js';

/** The account the fuzz tests act as; its password and tokens change as successes happen. */
export interface LiveAccount extends Account {
  tokens: TokenPairBody;
}

/** A token that was revoked, by what; it must never work again. */
export interface RevokedToken {
  kind: 'access' | 'refresh' | 'reset';
  token: string;
  why: string;
}

/** One endpoint under fuzzing. */
export interface FuzzEndpoint {
  name: string;
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  /** The fields of a well-formed body (empty: the route reads no body). */
  fields: readonly string[];
  /** The well-formed body as things are now. */
  template(): Pairs;
  /** The Bearer token to send, for protected routes. */
  token?(): string;
  /** The statuses a success may have. */
  success: readonly number[];
  /** Checks a success and folds its effect into the world (new tokens, revocations, …). */
  accept?(response: TestResponse, body: Record<string, unknown>): Promise<void> | void;
}

/** Anything shaped like a JWT. */
const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/;

/** True when `code` shows in `text` as a whole run of digits. */
function showsCode(text: string, code: string): boolean {
  return new RegExp(`(?<!\\d)${code}(?!\\d)`).test(text);
}

/**
 * A running service with an account and what the fuzz tests know about it: every password and
 * token it handed out, which tokens were revoked, which addresses were confirmed. After fuzzing,
 * {@link assertInvariants} checks that the attacks changed nothing they must not.
 */
export class FuzzWorld {
  readonly revoked: RevokedToken[] = [];
  /** Addresses whose mailed code was confirmed: the only users that may exist. */
  readonly confirmedEmails = new Set<string>();
  /** Addresses a fuzz case registered: pending, never to become users by themselves. */
  readonly fuzzRegistered = new Set<string>();
  readonly passwords = new Set<string>();
  readonly tokens = new Set<string>();
  /** Statuses per endpoint, for the report. */
  readonly outcomes = new Map<string, Map<number, number>>();
  account!: LiveAccount;
  /** A reset token of the account, mailed before fuzzing. */
  resetToken!: string;
  private constructor(
    readonly app: TestApp,
    readonly smtp: SmtpSink,
    private readonly output: OutputCapture,
  ) {}

  /** Starts an SMTP sink and the service (failures never lock the account out), makes the account. */
  static async start(env: Record<string, string> = {}): Promise<FuzzWorld> {
    // From before the start: what the service logs while starting counts too.
    const output = startOutputCapture();
    const smtp = await new SmtpSink().start();
    const app = await TestApp.start(
      sessionEnv(smtp, {
        LOGIN_MAX_FAILURES: '1000',
        OTP_MAX_ATTEMPTS: '100',
        // An empty PostgreSQL database instead of a temp SQLite file (see fuzz-runner.ts).
        ...(process.env.FUZZ_DATABASE_URL ? { DATABASE_URL: process.env.FUZZ_DATABASE_URL } : {}),
        ...env,
      }),
    );
    const world = new FuzzWorld(app, smtp, output);
    world.account = await world.newAccount();
    world.resetToken = await requestResetToken(app, smtp, world.account.email);
    world.tokens.add(world.resetToken);
    return world;
  }

  /** A new confirmed and logged-in account. */
  async newAccount(): Promise<LiveAccount> {
    const account = await registerAndConfirm(this.app, this.smtp, { fullName: 'Fuzz Target' });
    this.confirmedEmails.add(account.email);
    this.passwords.add(account.password);
    return { ...account, tokens: await this.login(account.email, account.password) };
  }

  /** Successful logins the world made itself (each must leave a `login_succeeded` line). */
  loginsMade = 0;

  async login(email: string, password: string): Promise<TokenPairBody> {
    const tokens = await login(this.app, email, password);
    this.loginsMade += 1;
    this.tokens.add(tokens.access).add(tokens.refresh);
    return tokens;
  }

  /** The account's session tokens are dead (`why`); it logs in again. */
  async sessionRevoked(why: string): Promise<void> {
    this.revoked.push(
      { kind: 'access', token: this.account.tokens.access, why },
      { kind: 'refresh', token: this.account.tokens.refresh, why },
    );
    this.account.tokens = await this.login(this.account.email, this.account.password);
  }

  /** A new pair was handed out in `response`; the old one is `why` revoked (`access: false`: it lives on). */
  takePair(response: TestResponse, why: string, accessRevoked: boolean): void {
    const pair = response.body as unknown as TokenPairBody;
    assert.equal(typeof pair.access, 'string', response.text);
    assert.equal(typeof pair.refresh, 'string', response.text);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    rememberSecret(pair.access, pair.refresh);
    this.revoked.push({ kind: 'refresh', token: this.account.tokens.refresh, why });
    if (accessRevoked)
      this.revoked.push({ kind: 'access', token: this.account.tokens.access, why });
    this.tokens.add(pair.access).add(pair.refresh);
    this.account.tokens = { ...this.account.tokens, access: pair.access, refresh: pair.refresh };
  }

  /** The account's password is now `password`. */
  passwordChanged(password: string): void {
    rememberSecret(password);
    this.passwords.add(password);
    this.account = { ...this.account, password };
  }

  /** Codes mailed to `email`. */
  codesMailedTo(email: string): string[] {
    return this.smtp.mailsTo(email).flatMap((mail) => {
      try {
        return [otpFrom(mail)];
      } catch {
        return [];
      }
    });
  }

  private mailedCodes(): string[] {
    return this.smtp.mails.flatMap((mail) => {
      try {
        return [otpFrom(mail)];
      } catch {
        return [];
      }
    });
  }

  private mailedResetTokens(): string[] {
    return this.smtp.mails.flatMap((mail) => /reset token: (\S+)/.exec(mail.text)?.[1] ?? []);
  }

  /** Everything no response or log may show: passwords, known tokens, codes, hashes. */
  leaks(): string[] {
    return [
      PASSWORD_MARKER,
      '$argon2',
      ...this.passwords,
      ...this.tokens,
      ...this.mailedResetTokens(),
    ];
  }

  /** Sends a fuzzed body to an endpoint. */
  send(endpoint: FuzzEndpoint, body: FuzzBody): Promise<TestResponse> {
    const headers: Record<string, string> = {};
    if (body.contentType !== undefined) headers['content-type'] = body.contentType;
    // Bytes are sent with no Content-Type at all (a string would be labelled text/plain).
    const payload =
      body.text !== undefined && body.contentType === undefined
        ? new TextEncoder().encode(body.text)
        : body.text;
    return this.app.request(endpoint.method, endpoint.path, {
      body: payload,
      headers,
      token: endpoint.token?.(),
    });
  }

  /**
   * The property every response has: never a 5xx; a refusal in the standard error shape with no
   * internals; a success only with a documented status; nothing secret anywhere in it.
   */
  checkResponse(endpoint: FuzzEndpoint, response: TestResponse, sent?: FuzzBody): void {
    const counts = this.outcomes.get(endpoint.name) ?? new Map<number, number>();
    counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
    this.outcomes.set(endpoint.name, counts);

    assert.ok(response.status < 500, `${endpoint.name}: ${response.status} ${response.text}`);
    if (response.status >= 400) assertErrorShape(response);
    else {
      assert.ok(
        endpoint.success.includes(response.status),
        `${endpoint.name}: unexpected ${response.status} ${response.text}`,
      );
    }
    const whole = wholeResponse(response);
    for (const secret of this.leaks()) {
      // A profile answer echoes the name the caller just sent; when a fuzzed name happens to be
      // a password an earlier fuzzed change-password set, that is the caller's own input, not a
      // leak of stored state.
      if (
        endpoint.name === 'PATCH me' &&
        sent?.text?.includes(JSON.stringify(secret).slice(1, -1))
      ) {
        continue;
      }
      assert.ok(
        !whole.includes(secret),
        `${endpoint.name}: the response shows ${secret.slice(0, 16)}…`,
      );
    }
    for (const code of this.mailedCodes()) {
      assert.ok(!showsCode(response.text, code), `${endpoint.name}: the response shows a code`);
    }
  }

  /** Fuzzes one endpoint for `runs` runs, trying `examples` first. */
  fuzzEndpoint(
    t: TestContext,
    endpoint: FuzzEndpoint,
    runs: number,
    examples: FuzzCase[] = [],
  ): Promise<number> {
    return fuzz(
      t,
      endpoint.name,
      runs,
      fuzzCases(endpoint.fields),
      async (fuzzCase) => {
        const body = render(fuzzCase, endpoint.template());
        const response = await this.send(endpoint, body);
        this.checkResponse(endpoint, response, body);
        if (response.status < 300) {
          const effective = effectiveBody(body);
          assert.ok(
            effective || endpoint.fields.length === 0,
            `${endpoint.name} accepted a body that is not a JSON object: ${response.status}`,
          );
          await endpoint.accept?.(response, effective ?? {});
        }
      },
      examples,
    );
  }

  /** The statuses an endpoint answered, for the report: `400×120 401×30`. */
  outcomesOf(name: string): string {
    return [...(this.outcomes.get(name) ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
  }

  /**
   * What must hold after any amount of fuzzing: the account still works with what the world
   * knows; no revoked token works anywhere; the only users are the confirmed addresses.
   */
  async assertInvariants(): Promise<void> {
    const me = await this.app.get(Paths.me, { token: this.account.tokens.access });
    assert.equal(me.status, 200, `the account's live access token: ${me.text}`);
    assert.equal(me.body.email, this.account.email);
    assert.equal(me.body.is_active, true);
    await this.login(this.account.email, this.account.password);

    for (const { kind, token, why } of this.revoked) {
      const response =
        kind === 'access'
          ? await this.app.get(Paths.me, { token })
          : kind === 'refresh'
            ? await this.app.post(Paths.refresh, { refresh: token })
            : await this.app.post(Paths.resetPassword, { token, new_password: freshPassword() });
      assert.equal(
        response.status,
        kind === 'reset' ? 400 : 401,
        `a ${kind} token revoked by ${why} still works: ${response.text}`,
      );
    }

    const users = await this.app.dataSource().getRepository(User).find();
    const emails = users.map((user) => user.email).sort();
    assert.deepEqual(emails, [...this.confirmedEmails].sort(), 'users without a confirmed code');
    for (const email of this.fuzzRegistered) {
      assert.ok(!emails.includes(email) || this.confirmedEmails.has(email), email);
    }
  }

  /**
   * No password, code, token or hash in anything logged: the app's logger and whatever went to
   * the console, stdout or stderr.
   */
  assertCleanLogs(): void {
    const logs = `${this.app.logger.text()}\n${this.output.text()}`;
    assert.ok(this.app.logger.lines.length > 0, 'nothing was logged: the capture does not work');
    for (const secret of this.leaks()) {
      assert.ok(!logs.includes(secret), `the logs show ${secret.slice(0, 16)}…`);
    }
    // Codes are looked for in what the app and libraries log, not in the test runner's own
    // output on stdout, whose timings are runs of digits too.
    const appLogs = `${this.app.logger.text()}\n${this.output.consoleText()}`;
    for (const code of this.mailedCodes()) {
      assert.ok(!showsCode(appLogs, code), `the logs show the code ${code}`);
    }
    assert.doesNotMatch(logs, JWT_PATTERN, 'a JWT in the logs');
  }

  /** Everything written to the console, stdout and stderr since the world started. */
  outputText(): string {
    return this.output.text();
  }

  async close(): Promise<void> {
    this.output.stop();
    await this.app.close();
    await this.smtp.stop();
  }
}

/** A fresh address, for templates that must not touch the account. */
export { freshEmail, freshPassword };
