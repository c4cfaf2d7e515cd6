import jwt from 'jsonwebtoken';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { otpFrom, type ReceivedMail, type SmtpSink } from './smtp-sink.js';
import { TEST_JWT_SECRET, type ApiClient, type TestApp, type TestResponse } from './test-app.js';

/** The session, password and profile endpoints, as clients of the original API call them. */
export const Paths = {
  register: '/api/users/register/',
  confirmOtp: '/api/users/confirm-otp/',
  login: '/api/users/login/',
  refresh: '/api/users/token/refresh/',
  logout: '/api/users/logout/',
  logoutAll: '/api/users/logout-all/',
  forgotPassword: '/api/users/forgot-password/',
  resetPassword: '/api/users/reset-password/',
  changePassword: '/api/users/change-password/',
  me: '/api/users/me/',
  emailChange: '/api/users/me/email/',
  emailChangeConfirm: '/api/users/me/email/confirm/',
  sessions: '/api/users/sessions/',
  revokeOtherSessions: '/api/users/sessions/revoke-others/',
} as const;

/** The messages the SPEC quotes, which clients of the original API match on. */
export const Messages = {
  invalidCredentials: 'Invalid email or password.',
  invalidRefreshToken: 'Invalid or expired refresh token.',
  refreshTokenRequired: 'Refresh token is required.',
  invalidLogoutToken: 'Invalid refresh token.',
  loggedOut: 'Successfully logged out.',
  loggedOutEverywhere: 'Logged out from all sessions.',
  resetLinkSent: 'If an account with that email exists, a password reset link has been sent.',
  resetTokenRequired: 'Reset token is required.',
  invalidResetToken: 'Invalid or expired reset token.',
  passwordReset: 'Password has been successfully reset.',
  currentPasswordIncorrect: 'Current password is incorrect.',
  emailAlreadyRegistered: 'Email already registered.',
  malformedJson: 'Malformed JSON in request body.',
} as const;

/**
 * Environment every session test app shares: mails go to the SMTP sink, no resend cooldown, and
 * a per-IP limit far above what a test sends (the per-IP test sets its own).
 *
 * Keep one app alive at a time in a test file: Nest's static logger and passport's strategy
 * registry are per process, so the app started last would log for, and check the Bearer tokens
 * of, every other app still running (against its own database).
 */
export function sessionEnv(
  smtp: SmtpSink,
  env: Record<string, string> = {},
): Record<string, string> {
  return {
    MAIL_URL: smtp.url,
    OTP_RESEND_COOLDOWN: '0',
    RATE_LIMIT_PER_IP: '100000',
    ...env,
  };
}

/**
 * Everything secret a test handed to or got from an app (passwords, tokens), so that the logs
 * can be searched for it afterwards. One test file is one process, so this is per file.
 */
const secrets = new Set<string>();

/** Records values that must never show up in a log line. */
export function rememberSecret(...values: (string | undefined)[]): void {
  for (const value of values) if (value) secrets.add(value);
}

/** Real User-Agent strings, for sessions whose label matters ("Firefox on Linux"). */
export const UserAgents = {
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
} as const;

/** A new address on every call, so that no test sees what another one left behind. */
export function freshEmail(tag = 'user'): string {
  return `${tag}-${randomUUID().slice(0, 8)}@example.com`;
}

/** A password that passes the policy and that no other test uses; remembered as a secret. */
export function freshPassword(): string {
  const password = `violet lantern ${randomBytes(6).toString('hex')}`;
  rememberSecret(password);
  return password;
}

/** The user as `confirm-otp` returns it. */
export interface RegisteredUser {
  id: string;
  email: string;
  full_name: string;
}

/** An account created through the API, with the credentials that created it. */
export interface Account {
  email: string;
  password: string;
  user: RegisteredUser;
}

/**
 * The fields these tests read in a JSON body: the API's answers and Nest's error shape. Requests
 * name it (`app.post<SessionBody>(…)`), so that a body field read that the API does not have is
 * a compile error.
 */
export interface SessionBody {
  statusCode?: number;
  error?: string;
  message?: string | string[];
  access?: string;
  refresh?: string;
  token_type?: string;
  expires_in?: number;
  reset_token?: string;
  id?: string;
  email?: string;
  full_name?: string;
  is_active?: boolean;
  date_joined?: string;
  user?: RegisteredUser;
}

/** A pair as login, refresh and change-password return it. */
export interface TokenPairBody {
  access: string;
  refresh: string;
  token_type: string;
  expires_in: number;
}

/**
 * Registers, reads the code from the mail the SMTP sink received, confirms, and returns the new
 * account. Fresh e-mail and password unless given.
 */
export async function registerAndConfirm(
  app: ApiClient,
  smtp: SmtpSink,
  options: { email?: string; password?: string; fullName?: string } = {},
): Promise<Account> {
  const email = options.email ?? freshEmail();
  const password = options.password ?? freshPassword();
  rememberSecret(password);
  const mailsBefore = smtp.mailsTo(email).length;
  const register = await app.post<SessionBody>(Paths.register, {
    email,
    password,
    full_name: options.fullName ?? 'Grace Hopper',
  });
  assert.equal(register.status, 200, `register failed: ${register.text}`);
  const otp = otpFrom(await smtp.waitForMail(email, mailsBefore + 1));
  const confirm = await app.post<{ user: RegisteredUser }>(Paths.confirmOtp, { email, otp });
  assert.equal(confirm.status, 201, `confirm failed: ${confirm.text}`);
  return { email, password, user: confirm.body.user };
}

/** Logs in, checks the 200 and returns the pair. */
export async function login(
  app: ApiClient,
  email: string,
  password: string,
): Promise<TokenPairBody> {
  const response = await app.post<TokenPairBody>(Paths.login, { email, password });
  assert.equal(response.status, 200, `login failed: ${response.text}`);
  rememberSecret(response.body.access, response.body.refresh);
  return response.body;
}

/** A new account, logged in. */
export async function loggedInAccount(
  app: ApiClient,
  smtp: SmtpSink,
  options: Parameters<typeof registerAndConfirm>[2] = {},
): Promise<Account & { tokens: TokenPairBody }> {
  const account = await registerAndConfirm(app, smtp, options);
  return { ...account, tokens: await login(app, account.email, account.password) };
}

/** Refreshes with `refresh`; the response as it is. */
export function refresh(app: ApiClient, token: string): Promise<TestResponse<SessionBody>> {
  return app.post<SessionBody>(Paths.refresh, { refresh: token });
}

/** Refreshes, checks the 200 and returns the new pair. */
export async function rotate(app: ApiClient, token: string): Promise<TokenPairBody> {
  const response = await refresh(app, token);
  assert.equal(response.status, 200, `refresh failed: ${response.text}`);
  const pair = response.body as TokenPairBody;
  rememberSecret(pair.access, pair.refresh);
  return pair;
}

/** Status of `GET me` with `access` as the Bearer token: 200 while it works, 401 once revoked. */
export async function meStatus(app: ApiClient, access: string): Promise<number> {
  return (await app.get<SessionBody>(Paths.me, { token: access })).status;
}

/** Asserts that an access token is refused on a Bearer route. */
export async function assertAccessRefused(
  app: ApiClient,
  access: string,
  what = 'access token',
): Promise<void> {
  const response = await app.get<SessionBody>(Paths.me, { token: access });
  assert.equal(response.status, 401, `${what} still accepted: ${response.text}`);
}

/** Asserts that a refresh token is refused with the SPEC's message. */
export async function assertRefreshRefused(
  app: ApiClient,
  token: string,
  what = 'refresh token',
): Promise<void> {
  const response = await refresh(app, token);
  assert.equal(response.status, 401, `${what} still accepted: ${response.text}`);
  assert.equal(response.body.message, Messages.invalidRefreshToken);
}

/** The reset token a reset mail carries (the raw token, which the link carries too). */
export function resetTokenFrom(mail: ReceivedMail): string {
  const match = /reset token: (\S+)/.exec(mail.text);
  assert.ok(match, `no reset token in mail: ${mail.subject}`);
  rememberSecret(match[1]);
  return match[1];
}

/** Asks for a reset mail and returns the token it carries. */
export async function requestResetToken(
  app: ApiClient,
  smtp: SmtpSink,
  email: string,
): Promise<string> {
  const mailsBefore = smtp.mailsTo(email).length;
  const response = await app.post<SessionBody>(Paths.forgotPassword, { email });
  assert.equal(response.status, 200, response.text);
  return resetTokenFrom(await smtp.waitForMail(email, mailsBefore + 1));
}

/** The payload of a JWT, decoded without any check. */
export function payloadOf(token: string): Record<string, unknown> {
  const [, payload] = token.split('.');
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * A token with `token`'s claims and `changes` applied, signed anew: with the app's secret and
 * HS256 unless told otherwise. For attacks that a real signature must not let through.
 */
export function resign(
  token: string,
  changes: Record<string, unknown>,
  options: { secret?: string; algorithm?: jwt.Algorithm } = {},
): string {
  const claims = { ...payloadOf(token), ...changes };
  for (const [key, value] of Object.entries(claims)) if (value === undefined) delete claims[key];
  return jwt.sign(claims, options.secret ?? TEST_JWT_SECRET, {
    algorithm: options.algorithm ?? 'HS256',
  });
}

/** `token`'s claims, unsigned, with the given `alg` header (`none`, `None`…). */
export function unsigned(token: string, alg: string): string {
  return `${base64url({ alg, typ: 'JWT' })}.${base64url(payloadOf(token))}.`;
}

/** `token` with `changes` applied to its payload and its original header and signature kept. */
export function tampered(token: string, changes: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url({ ...payloadOf(token), ...changes })}.${signature}`;
}

/** Seconds since the epoch. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The median of some numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** How long `action` takes, in milliseconds. */
export async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

/** What a raw HTTP request got back. */
export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * A request through node:http rather than fetch, for what fetch will not send: a `Host` header
 * of the client's choosing, or a body without any `Content-Type`.
 */
export function rawRequest(
  app: ApiClient,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const url = new URL(path, app.baseUrl);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: options.headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Anything shaped like a JWT (header and payload are base64url JSON objects). */
/** Any JWT (header and payload are base64url JSON objects, so both start with `eyJ`). */
export const JWT_PATTERN = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/;

/**
 * Asserts that nothing secret reached the logs of `apps`: no password or token a test used, no
 * JWT at all, no argon2 hash. Nest's loggers write to the app started last in the process, so
 * every app a file started is searched.
 */
export function assertCleanLogs(...apps: TestApp[]): void {
  const text = apps.map((app) => app.logger.text()).join('\n');
  assert.ok(text.length > 0, 'nothing was logged: the logger capture does not work');
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `a secret reached the logs: ${secret.slice(0, 12)}…`);
  }
  assert.doesNotMatch(text, JWT_PATTERN);
  assert.ok(!text.includes('$argon2id$'), 'an argon2 hash reached the logs');
}

/** The JSON log lines of `apps` that carry an `event` field, parsed. */
export function loggedEvents(...apps: TestApp[]): Record<string, unknown>[] {
  return (
    apps
      .flatMap((app) => app.logger.lines)
      // A captured line is `<level>: <message> <context>`.
      .map((line) => line.slice(line.indexOf('{'), line.lastIndexOf('}') + 1))
      .filter((message) => message.length > 0)
      .map((message) => {
        try {
          return JSON.parse(message) as Record<string, unknown>;
        } catch {
          return {};
        }
      })
      .filter((entry) => typeof entry.event === 'string')
  );
}
