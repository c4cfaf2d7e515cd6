import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { wrongCode } from '../support/registration.js';
import { freshEmail, Paths } from '../support/session-helpers.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';
import { PASSWORD_MARKER } from './support/fuzz-values.js';

/** Runs per endpoint: enough to reach every recipe and value kind many times, in seconds. */
const RUNS = { register: 150, 'confirm-otp': 150, 'verify-otp': 60, 'resend-otp': 100 };

const OTP_SENT = { message: 'OTP sent to your email.', expires_in: 600 };

function normalised(email: unknown): string {
  return String(email).trim().toLowerCase();
}

describe('fuzzing the registration endpoints over the real server', () => {
  let world: FuzzWorld;
  /** A registration left pending (never confirmed): confirm-otp and verify-otp aim at it. */
  let pendingEmail: string;
  /** Another one, for resend-otp (the guesses above may use up the first one's attempts). */
  let resendEmail: string;

  async function pending(tag: string): Promise<string> {
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

  before(async () => {
    world = await FuzzWorld.start();
    pendingEmail = await pending('pending');
    resendEmail = await pending('resend');
  });
  after(async () => {
    await world.close();
  });

  /** The latest code of the pending registration, changed by one digit: a wrong guess. */
  const wrongGuess = () => wrongCode(world.codesMailedTo(pendingEmail).at(-1) ?? '000000');

  const confirm = (name: 'confirm-otp' | 'verify-otp', path: string): FuzzEndpoint => ({
    name,
    method: 'POST',
    path,
    fields: ['email', 'otp'],
    template: () => [
      ['email', pendingEmail],
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

  const endpoints: FuzzEndpoint[] = [
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
        assert.deepEqual(response.body, OTP_SENT);
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
      template: () => [['email', resendEmail]],
      success: [200],
      accept: (response) => assert.deepEqual(response.body, OTP_SENT),
    },
  ];

  for (const endpoint of endpoints) {
    it(`POST ${endpoint.name}: any body gets a 4xx in the standard shape or a documented success, never a 5xx or a secret`, async (t) => {
      await world.fuzzEndpoint(
        t,
        endpoint,
        RUNS[endpoint.name as keyof typeof RUNS],
        keptCases(endpoint.name),
      );
      t.diagnostic(`${endpoint.name} answered ${world.outcomesOf(endpoint.name)}`);
    });
  }

  it('afterwards: no user exists without its mailed code, the account and revocations hold, the logs are clean', async () => {
    await world.assertInvariants();
    world.assertCleanLogs();
  });
});
