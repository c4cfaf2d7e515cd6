import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { Messages, Paths } from '../support/session-helpers.js';
import { fuzz } from './support/fuzz-runner.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { authorizationHeader, PASSWORD_MARKER } from './support/fuzz-values.js';
import { FuzzWorld, type FuzzEndpoint, type LiveAccount } from './support/fuzz-world.js';

/** Runs per endpoint: enough to reach every recipe and value kind many times, in seconds. */
const RUNS = {
  logout: 120,
  'logout-all': 60,
  'change-password': 100,
  'PATCH me': 150,
  'DELETE me': 30,
  Authorization: 200,
};

describe('fuzzing the Bearer endpoints over the real server', () => {
  let world: FuzzWorld;
  /** The account DELETE me is aimed at; replaced by a new one each time it is deactivated. */
  let doomed: LiveAccount;
  const deactivated: LiveAccount[] = [];

  before(async () => {
    world = await FuzzWorld.start();
    doomed = await world.newAccount();
  });
  after(async () => {
    await world.close();
  });

  const live = () => world.account.tokens.access;

  const endpoints = (): FuzzEndpoint[] => [
    {
      name: 'logout',
      method: 'POST',
      path: Paths.logout,
      fields: ['refresh_token'],
      template: () => [['refresh_token', world.account.tokens.refresh]],
      token: live,
      success: [200],
      accept: async (response, body) => {
        assert.deepEqual(response.body, { message: Messages.loggedOut });
        assert.equal(body.refresh_token, world.account.tokens.refresh, 'logout without the token');
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
        assert.equal(body.current_password, world.account.password, 'changed without the password');
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
      token: () => doomed.tokens.access,
      success: [204],
      accept: async (response) => {
        assert.equal(response.text, '');
        world.revoked.push(
          { kind: 'access', token: doomed.tokens.access, why: 'deactivation' },
          { kind: 'refresh', token: doomed.tokens.refresh, why: 'deactivation' },
        );
        deactivated.push(doomed);
        doomed = await world.newAccount();
      },
    },
  ];

  for (const endpoint of endpoints()) {
    it(`${endpoint.method === 'POST' ? 'POST ' : ''}${endpoint.name}: any body gets a 4xx in the standard shape or a documented success, never a 5xx or a secret`, async (t) => {
      await world.fuzzEndpoint(
        t,
        endpoint,
        RUNS[endpoint.name as keyof typeof RUNS],
        keptCases(endpoint.name),
      );
      t.diagnostic(`${endpoint.name} answered ${world.outcomesOf(endpoint.name)}`);
    });
  }

  it('every Bearer route, GET me included: any Authorization header without a valid access token gets 401', async (t) => {
    const routes: [method: string, path: string, body: () => unknown][] = [
      ['GET', Paths.me, () => undefined],
      ['PATCH', Paths.me, () => ({ full_name: 'Forged' })],
      ['DELETE', Paths.me, () => undefined],
      ['POST', Paths.logout, () => ({ refresh_token: world.account.tokens.refresh })],
      ['POST', Paths.logoutAll, () => ({})],
      [
        'POST',
        Paths.changePassword,
        () => ({
          current_password: world.account.password,
          new_password: `${PASSWORD_MARKER} x y z`,
        }),
      ],
    ];
    const endpoint: FuzzEndpoint = {
      name: 'Authorization',
      method: 'POST',
      path: Paths.me,
      fields: [],
      template: () => [],
      success: [],
    };
    await fuzz(
      t,
      'Authorization',
      RUNS.Authorization,
      fc.tuple(fc.constantFrom(...routes), authorizationHeader),
      async ([[method, path, body], authorization]) => {
        const response = await world.app.request(method, path, {
          body: body(),
          headers: { authorization },
        });
        world.checkResponse(endpoint, response);
        assert.equal(
          response.status,
          401,
          `${method} ${path} with "${authorization.slice(0, 40)}": ${response.text}`,
        );
      },
    );
    t.diagnostic(`Authorization answered ${world.outcomesOf('Authorization')}`);
  });

  it('afterwards: the account works with what the successes told, deactivated accounts stay out, revoked tokens stay dead, the logs are clean', async () => {
    await world.assertInvariants();
    for (const account of deactivated) {
      const relogin = await world.app.post(Paths.login, {
        email: account.email,
        password: account.password,
      });
      assert.equal(relogin.status, 401, `a deactivated account logs in: ${relogin.text}`);
    }
    world.assertCleanLogs();
  });
});
