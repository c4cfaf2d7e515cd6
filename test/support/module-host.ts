import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertError, assertNamesField, assertNotIn, wholeResponse } from './http-assertions.js';
import { freshEmail, GOOD_PASSWORD, Messages } from './registration.js';
import { otpFrom, type SmtpSink } from './smtp-sink.js';
import { join } from 'node:path';
import { loadConfigFromEnvironment, type OtpAuthOptions } from '../../src/index.js';
import { TEST_JWT_SECRET, type ApiClient } from './test-app.js';

/** A host app that imports the module, as the checks below reach it. */
export interface ModuleHost {
  /** The host's HTTP server. */
  api: ApiClient;
  /** Where the host's mailer (or the module's) delivers. */
  smtp: SmtpSink;
  /** The path of the module's routes in this host, e.g. `/api/users`. */
  prefix: string;
  /** A route of the host's own, guarded by the exported guard, that answers `{ owner: <user id> }`. */
  guardedPath: string;
  /** The addresses the host's `onUserRegistered` hook received, when it has one. */
  registered?: readonly string[];
}

/**
 * The module's options for a test host: mails to `smtp`, a SQLite file in `dir`, no resend
 * cooldown; `env` adds or overrides variables.
 */
export function hostModuleOptions(
  smtp: SmtpSink,
  dir: string,
  env: Record<string, string> = {},
): OtpAuthOptions {
  return loadConfigFromEnvironment({
    JWT_SECRET: TEST_JWT_SECRET,
    MAIL_URL: smtp.url,
    OTP_RESEND_COOLDOWN: '0',
    DATABASE_URL: `sqlite:${join(dir, 'host.sqlite')}`,
    ...env,
  }).otpAuth;
}

/** Malformed JSON whose parser error (V8's) quotes {@link LEAKED} from the password. */
export const LEAKY_JSON = '{"email":"ada@example.com","password": sesame-open-42}';
export const LEAKED = 'sesame-ope';

/**
 * The code of the first mail to `address`, compared as a mailbox is (case-insensitively): the
 * sink's own lookup expects the normalized address, which a host without normalization does not
 * send to.
 */
async function firstCodeMailedTo(smtp: SmtpSink, address: string): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const mail = smtp.mails.find((candidate) => candidate.to.toLowerCase() === address);
    if (mail) return otpFrom(mail);
    if (Date.now() > deadline) throw new Error(`no code mailed to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Declares the tests every host must pass on the module's routes, whatever it configures
 * globally: validation (never a 500), e-mail normalization, the fixed malformed-JSON answer, and
 * the whole flow through the host's guarded route. `host` is read when the tests run.
 */
export function itKeepsTheModuleConventions(host: () => ModuleHost): void {
  it('answers register {} with 400 naming every field, not 500', async () => {
    const { api, prefix } = host();
    const response = await api.post(`${prefix}/register`, {});
    assertError(response, 400);
    for (const field of ['email', 'password', 'full_name']) assertNamesField(response, field);
  });

  it('answers a lone surrogate in the e-mail with 400, whatever pipe of the host validated first', async () => {
    // A host's ValidationPipe runs the module's validators without stopping at the first
    // failure: the e-mail syntax check then meets text its library throws on.
    const { api, prefix } = host();
    for (const path of ['register', 'login', 'forgot-password']) {
      const response = await api.post(`${prefix}/${path}`, {
        email: '\ud800@example.com',
        password: GOOD_PASSWORD,
        full_name: 'Ada Lovelace',
      });
      assertError(response, 400);
      assertNamesField(response, 'email');
    }
  });

  it('answers malformed JSON with the fixed message, quoting nothing of the body', async () => {
    const { api, prefix } = host();
    for (const path of ['register', 'login']) {
      const response = await api.post(`${prefix}/${path}`, LEAKY_JSON, {
        headers: { 'content-type': 'application/json' },
      });
      assertError(response, 400, Messages.malformedJson);
      assertNotIn(wholeResponse(response), [LEAKED], `the answer of ${path}`);
    }
  });

  it('makes "Ada@Example.COM" and " ada@example.com " one account, which reaches the host route and logs out', async () => {
    const { api, smtp, prefix, guardedPath, registered } = host();
    const canonical = freshEmail('ada');
    const typed = `A${canonical.slice(1, -'example.com'.length)}Example.COM`;
    const body = (email: string) => ({ email, password: GOOD_PASSWORD, full_name: 'Ada Lovelace' });
    const register = await api.post(`${prefix}/register`, body(typed));
    assert.equal(register.status, 200, register.text);
    const otp = await firstCodeMailedTo(smtp, canonical);

    const confirm = await api.post<{ user: { id: string; email: string } }>(
      `${prefix}/confirm-otp`,
      { email: typed, otp },
    );
    assert.equal(confirm.status, 201, confirm.text);
    assert.equal(confirm.body.user.email, canonical, 'the account is stored as typed');
    if (registered)
      assert.ok(registered.includes(canonical), 'the hook got the normalized address');
    assertError(
      await api.post(`${prefix}/register`, body(` ${canonical} `)),
      409,
      Messages.emailAlreadyRegistered,
    );

    const login = await api.post<{ access: string; refresh: string }>(`${prefix}/login`, {
      email: canonical.toUpperCase(),
      password: GOOD_PASSWORD,
    });
    assert.equal(login.status, 200, login.text);
    const { access, refresh } = login.body;
    const mine = await api.get<{ owner: string }>(guardedPath, { token: access });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.body.owner, confirm.body.user.id);

    const logout = await api.post(
      `${prefix}/logout`,
      { refresh_token: refresh },
      { token: access },
    );
    assert.equal(logout.status, 200, logout.text);
    assert.equal((await api.get(guardedPath, { token: access })).status, 401);
  });
}
