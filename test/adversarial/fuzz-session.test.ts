import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Messages, Paths } from '../support/session-helpers.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { PASSWORD_MARKER } from './support/fuzz-values.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';

/** Runs per endpoint: enough to reach every recipe and value kind many times, in seconds. */
const RUNS = { login: 120, 'token/refresh': 150, 'forgot-password': 150, 'reset-password': 120 };

describe('fuzzing the public session and password endpoints over the real server', () => {
  let world: FuzzWorld;

  before(async () => {
    world = await FuzzWorld.start();
  });
  after(async () => {
    await world.close();
  });

  const endpoints = (): FuzzEndpoint[] => [
    {
      // The password of the template is wrong: no fuzz case can know the right one.
      name: 'login',
      method: 'POST',
      path: Paths.login,
      fields: ['email', 'password'],
      template: () => [
        ['email', world.account.email],
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

  for (const endpoint of endpoints()) {
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

  it('afterwards: the account works with what the successes told, every revoked token stays dead, the logs are clean', async () => {
    await world.assertInvariants();
    world.assertCleanLogs();
  });
});
