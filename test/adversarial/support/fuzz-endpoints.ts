import assert from 'node:assert/strict';
import { wrongCode } from '../../support/registration.js';
import { freshEmail, Messages, Paths } from '../../support/session-helpers.js';
import { PASSWORD_MARKER } from './fuzz-values.js';
import type { FuzzEndpoint, FuzzWorld, LiveAccount } from './fuzz-world.js';

/**
 * Every public endpoint as the fuzz tests drive it: the well-formed body as things are now, and
 * what a success must look like and change. A success is possible wherever the template holds
 * a live credential and a case leaves it in place; the world then records its effect, so that
 * the invariants checked afterwards know what must (not) work.
 */

const OTP_SENT = { message: 'OTP sent to your email.', expires_in: 600 };

function normalised(email: unknown): string {
  return String(email).trim().toLowerCase();
}

/** Registrations the registration endpoints aim at: left pending, never confirmed by a test. */
export interface PendingRegistrations {
  /** confirm-otp and verify-otp guess at this one. */
  confirm: string;
  /** resend-otp resends this one (the guesses may use up the other one's attempts). */
  resend: string;
}

/** Registers an address and leaves it pending. */
export async function pendingRegistration(world: FuzzWorld, tag: string): Promise<string> {
  const email = freshEmail(tag);
  const register = await world.app.post(Paths.register, {
    email,
    password: `${PASSWORD_MARKER} violet harbor`,
    full_name: 'Pending Person',
  });
  assert.equal(register.status, 200, register.text);
  await world.smtp.waitForMail(email);
  world.fuzzRegistered.add(email);
  return email;
}

/** register, confirm-otp, verify-otp, resend-otp. */
export function registrationEndpoints(
  world: FuzzWorld,
  pending: PendingRegistrations,
): FuzzEndpoint[] {
  /** The latest code of the pending registration, changed by one digit: a wrong guess. */
  const wrongGuess = () => wrongCode(world.codesMailedTo(pending.confirm).at(-1) ?? '000000');
  const confirm = (name: string, path: string): FuzzEndpoint => ({
    name,
    method: 'POST',
    path,
    fields: ['email', 'otp'],
    template: () => [
      ['email', pending.confirm],
      ['otp', wrongGuess()],
    ],
    success: [201],
    accept: (response, body) => {
      // Only the code mailed to the address may create its user.
      const email = normalised(body.email);
      assert.ok(
        world.codesMailedTo(email).includes(String(body.otp)),
        `a user was created without the mailed code: ${response.text}`,
      );
      world.confirmedEmails.add(email);
    },
  });
  return [
    {
      name: 'register',
      method: 'POST',
      path: Paths.register,
      fields: ['email', 'password', 'full_name'],
      template: () => [
        ['email', freshEmail('fuzz')],
        ['password', `${PASSWORD_MARKER} violet lantern`],
        ['full_name', 'Fuzz Name'],
      ],
      success: [200],
      accept: (response, body) => {
        const { registration_id: id, ...rest } = response.body as Record<string, unknown>;
        assert.deepEqual(rest, OTP_SENT);
        assert.match(String(id), /^[0-9a-f-]{36}$/);
        world.fuzzRegistered.add(normalised(body.email));
      },
    },
    confirm('confirm-otp', Paths.confirmOtp),
    confirm('verify-otp', '/api/users/verify-otp/'),
    {
      name: 'resend-otp',
      method: 'POST',
      path: '/api/users/resend-otp/',
      fields: ['email'],
      template: () => [['email', pending.resend]],
      success: [200],
      accept: (response) => assert.deepEqual(response.body, OTP_SENT),
    },
  ];
}

/** login, token/refresh, forgot-password, reset-password. */
export function sessionEndpoints(
  world: FuzzWorld,
  /** The address login cases try (default: the account's), with a wrong password. */
  loginEmail: () => string = () => world.account.email,
): FuzzEndpoint[] {
  return [
    {
      // The password of the template is wrong: no fuzz case can know the right one.
      name: 'login',
      method: 'POST',
      path: Paths.login,
      fields: ['email', 'password'],
      template: () => [
        ['email', loginEmail()],
        ['password', `${PASSWORD_MARKER} wrong lantern`],
      ],
      success: [],
    },
    {
      // The template carries the live refresh token: a case that leaves it in place rotates it.
      name: 'token/refresh',
      method: 'POST',
      path: Paths.refresh,
      fields: ['refresh', 'refresh_token'],
      template: () => [['refresh', world.account.tokens.refresh]],
      success: [200],
      accept: (response, body) => {
        assert.ok(
          body.refresh === world.account.tokens.refresh ||
            (!body.refresh && body.refresh_token === world.account.tokens.refresh),
          `a refresh without the live token succeeded: ${JSON.stringify(body).slice(0, 200)}`,
        );
        world.takePair(response, 'rotation', false);
      },
    },
    {
      name: 'forgot-password',
      method: 'POST',
      path: Paths.forgotPassword,
      fields: ['email'],
      template: () => [['email', world.account.email]],
      success: [200],
      // Never the token itself (AUTH_EXPOSE_RESET_TOKEN is off), whatever the address.
      accept: (response) => assert.deepEqual(response.body, { message: Messages.resetLinkSent }),
    },
    {
      // The template carries the account's genuine reset token: the first case that leaves it
      // in place with an acceptable password spends it.
      name: 'reset-password',
      method: 'POST',
      path: Paths.resetPassword,
      fields: ['token', 'new_password'],
      template: () => [
        ['token', world.resetToken],
        ['new_password', `${PASSWORD_MARKER} brand new lantern`],
      ],
      success: [200],
      accept: async (response, body) => {
        assert.deepEqual(response.body, { message: Messages.passwordReset });
        assert.equal(body.token, world.resetToken, 'a reset without the genuine token succeeded');
        world.revoked.push({ kind: 'reset', token: world.resetToken, why: 'reset' });
        world.passwordChanged(String(body.new_password));
        await world.sessionRevoked('reset');
      },
    },
  ];
}

/** The account DELETE me is aimed at, replaced by a new one each time it is deactivated. */
export interface Doomed {
  account: LiveAccount;
  readonly deactivated: LiveAccount[];
}

/** logout, logout-all, change-password, PATCH me, DELETE me. */
export function bearerEndpoints(world: FuzzWorld, doomed: Doomed): FuzzEndpoint[] {
  const live = () => world.account.tokens.access;
  return [
    {
      name: 'logout',
      method: 'POST',
      path: Paths.logout,
      fields: ['refresh_token', 'refresh'],
      template: () => [['refresh_token', world.account.tokens.refresh]],
      token: live,
      success: [200],
      accept: async (response, body) => {
        assert.deepEqual(response.body, { message: Messages.loggedOut });
        assert.equal(
          body.refresh || body.refresh_token,
          world.account.tokens.refresh,
          'logout without the token',
        );
        await world.sessionRevoked('logout');
      },
    },
    {
      name: 'logout-all',
      method: 'POST',
      path: Paths.logoutAll,
      fields: [],
      template: () => [],
      token: live,
      success: [200],
      accept: async (response) => {
        assert.deepEqual(response.body, { message: Messages.loggedOutEverywhere });
        await world.sessionRevoked('logout-all');
      },
    },
    {
      name: 'change-password',
      method: 'POST',
      path: Paths.changePassword,
      fields: ['current_password', 'new_password'],
      template: () => [
        ['current_password', world.account.password],
        ['new_password', `${PASSWORD_MARKER} fresh lantern`],
      ],
      token: live,
      success: [200],
      accept: (response, body) => {
        assert.equal(body.current_password, world.account.password, 'changed without it');
        world.takePair(response, 'change-password', true);
        world.passwordChanged(String(body.new_password));
      },
    },
    {
      name: 'PATCH me',
      method: 'PATCH',
      path: Paths.me,
      fields: ['full_name'],
      template: () => [['full_name', 'Fuzz Target']],
      token: live,
      success: [200],
      accept: (response, body) => {
        // Only the name changes, to exactly what was sent, trimmed; nothing else moves.
        assert.equal(response.body.full_name, String(body.full_name).trim());
        assert.equal(response.body.id, world.account.user.id);
        assert.equal(response.body.email, world.account.email);
        assert.equal(response.body.is_active, true);
      },
    },
    {
      name: 'DELETE me',
      method: 'DELETE',
      path: Paths.me,
      fields: [],
      template: () => [],
      token: () => doomed.account.tokens.access,
      success: [204],
      accept: async (response) => {
        assert.equal(response.text, '');
        world.revoked.push(
          { kind: 'access', token: doomed.account.tokens.access, why: 'deactivation' },
          { kind: 'refresh', token: doomed.account.tokens.refresh, why: 'deactivation' },
        );
        doomed.deactivated.push(doomed.account);
        doomed.account = await world.newAccount();
      },
    },
  ];
}

/** Asserts that no deactivated account can log in again. */
export async function assertDeactivatedStayOut(world: FuzzWorld, doomed: Doomed): Promise<void> {
  for (const account of doomed.deactivated) {
    const relogin = await world.app.post(Paths.login, {
      email: account.email,
      password: account.password,
    });
    assert.equal(relogin.status, 401, `a deactivated account logs in: ${relogin.text}`);
  }
}
