import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Environment } from '../../src/config/environment.js';
import { otpFrom, SmtpSink, type ReceivedMail } from './smtp-sink.js';
import { TestApp, type ApiClient, type TestResponse } from './test-app.js';

/** The registration endpoints, as clients of the original API call them (trailing slash). */
export const Paths = {
  register: '/api/users/register/',
  confirmOtp: '/api/users/confirm-otp/',
  verifyOtp: '/api/users/verify-otp/',
  resendOtp: '/api/users/resend-otp/',
} as const;

/** The messages the SPEC quotes for registration, which clients of the original API match on. */
export const Messages = {
  otpSent: 'OTP sent to your email.',
  userRegistered: 'User registered successfully.',
  emailAlreadyRegistered: 'Email already registered.',
  invalidOtp: 'Invalid OTP.',
  otpExpiredOrInvalid: 'OTP expired or invalid.',
  maxAttemptsExceeded: 'Maximum OTP attempts exceeded. Please register again.',
  invalidEmail: 'Invalid email address.',
  sendFailed: 'Could not send the verification email. Please try again.',
  validationUnavailable: 'Email validation service unavailable. Please try again later.',
  malformedJson: 'Malformed JSON in request body.',
  resendCooldown: 'Please wait before requesting a new OTP.',
  sendLimit: 'Too many OTP requests for this registration. Please try again later.',
  addressSendCap: 'Too many codes sent to this address. Please try again later.',
  addressFailureCap: 'Too many wrong codes for this address. Please try again later.',
} as const;

/** The format of a `registration_id`. */
export const REGISTRATION_ID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A password that passes the policy for any address and name the helpers make up. */
export const GOOD_PASSWORD = 'violet lantern harbor';

let sequence = 0;

/**
 * A new address on every call, so that no test sees the state (pending registration, cooldown,
 * account, cached verdict) another one left behind.
 */
export function freshEmail(tag = 'user'): string {
  sequence += 1;
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${sequence}@example.com`;
}

/** The body of `POST register/`. */
export interface RegistrationBody {
  email: string;
  password: string;
  full_name: string;
}

/** A valid registration for a fresh address; `overrides` set what the test is about. */
export function registrationBody(overrides: Partial<RegistrationBody> = {}): RegistrationBody {
  return { email: freshEmail(), password: GOOD_PASSWORD, full_name: 'Ada Lovelace', ...overrides };
}

/** A code of the same length that is certainly not `code` (every digit shifted by one). */
export function wrongCode(code: string): string {
  return [...code].map((digit) => String((Number(digit) + 1) % 10)).join('');
}

/**
 * Sends a request that should mail a code to `email` (register, resend), checks its 200 and
 * returns the code read from the mail the SMTP sink received.
 */
export async function expectCodeMailed(
  smtp: SmtpSink,
  email: string,
  send: () => Promise<TestResponse>,
): Promise<string> {
  const mailsBefore = smtp.mailsTo(email).length;
  const response = await send();
  assert.equal(
    response.status,
    200,
    `expected a code to be sent: ${response.status} ${response.text}`,
  );
  return otpFrom(await smtp.waitForMail(email, mailsBefore + 1));
}

/** Registers and returns the code the mail carried. */
export function registerForCode(
  app: ApiClient,
  smtp: SmtpSink,
  body: RegistrationBody,
): Promise<string> {
  return expectCodeMailed(smtp, body.email.trim().toLowerCase(), () =>
    app.post(Paths.register, body),
  );
}

/** One registration attempt as its registrant sees it: its id, and the code its mail carried. */
export interface RegistrationAttempt {
  registrationId: string;
  code: string;
  mail: ReceivedMail;
}

/** Registers, checks the 200 and its `registration_id`, and reads the code from the mail. */
export async function registerAttempt(
  app: ApiClient,
  smtp: SmtpSink,
  body: RegistrationBody,
  codeLength = 6,
): Promise<RegistrationAttempt> {
  const email = body.email.trim().toLowerCase();
  const mailsBefore = smtp.mailsTo(email).length;
  const response = await app.post(Paths.register, body);
  assert.equal(response.status, 200, `register failed: ${response.status} ${response.text}`);
  const registrationId = response.body.registration_id;
  assert.ok(
    typeof registrationId === 'string' && REGISTRATION_ID.test(registrationId),
    `no registration_id: ${response.text}`,
  );
  const mail = await smtp.waitForMail(email, mailsBefore + 1);
  return { registrationId, code: otpFrom(mail, codeLength), mail };
}

/** Asks for a new code and returns it. */
export function resendForCode(app: ApiClient, smtp: SmtpSink, email: string): Promise<string> {
  return expectCodeMailed(smtp, email, () => app.post(Paths.resendOtp, { email }));
}

/** The user as `confirm-otp` returns it. */
export interface RegisteredUser {
  id: string;
  email: string;
  full_name: string;
}

/**
 * Goes through the whole registration (register, read the mailed code, confirm) and returns the
 * created user with the body that created it, for tests about what happens to an account.
 */
export async function registerAndConfirm(
  app: ApiClient,
  smtp: SmtpSink,
  overrides: Partial<RegistrationBody> = {},
): Promise<{ body: RegistrationBody; user: RegisteredUser }> {
  const body = registrationBody(overrides);
  const otp = await registerForCode(app, smtp, body);
  const confirm = await app.post<{ user: RegisteredUser }>(Paths.confirmOtp, {
    email: body.email,
    otp,
  });
  assert.equal(confirm.status, 201, `confirm failed: ${confirm.text}`);
  return { body, user: confirm.body.user };
}

/** The mails of the development outbox (`GET /dev/outbox.json`), newest first. */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

/** The newest code the development outbox holds for `email`. */
export async function outboxCode(app: ApiClient, email: string, length = 6): Promise<string> {
  const outbox = await app.get<OutboxMail[]>('/dev/outbox.json');
  assert.equal(outbox.status, 200, outbox.text);
  const mail = outbox.body.find((candidate) => candidate.to === email);
  assert.ok(mail, `no outbox mail to ${email}`);
  return otpFrom(mail, length);
}

/**
 * Registers a fresh account and confirms it with the code from the development outbox (a service
 * without `MAIL_URL`); the address and password to log in with.
 */
export async function confirmThroughOutbox(
  app: ApiClient,
): Promise<Pick<RegistrationBody, 'email' | 'password'>> {
  const body = registrationBody();
  assert.equal((await app.post(Paths.register, body)).status, 200);
  const otp = await outboxCode(app, body.email);
  assert.equal((await app.post(Paths.confirmOtp, { email: body.email, otp })).status, 201);
  return { email: body.email, password: body.password };
}

/** The app and SMTP sink of {@link useAppWithSmtp}, set once its `before` hook has run. */
export interface AppWithSmtp {
  app: TestApp;
  smtp: SmtpSink;
}

/**
 * A real app mailing to a real SMTP sink, started with `env` before the tests of the enclosing
 * `describe` and stopped after them (the sink taking mail again first).
 */
export function useAppWithSmtp(env: Environment = {}): AppWithSmtp {
  const world = {} as AppWithSmtp;
  before(async () => {
    world.smtp = await new SmtpSink().start();
    world.app = await TestApp.start({ MAIL_URL: world.smtp.url, ...env });
  });
  after(async () => {
    world.smtp.rejecting = false;
    await world.app.close();
    await world.smtp.stop();
  });
  return world;
}
