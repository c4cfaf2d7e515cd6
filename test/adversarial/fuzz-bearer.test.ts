import assert from 'node:assert/strict';
import fc from 'fast-check';
import { after, before, describe, it } from 'node:test';
import { Paths } from '../support/session-helpers.js';
import {
  assertDeactivatedStayOut,
  bearerEndpoints,
  type Doomed,
} from './support/fuzz-endpoints.js';
import { fuzz } from './support/fuzz-runner.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { authorizationHeader, PASSWORD_MARKER } from './support/fuzz-values.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';

/** Runs per endpoint: enough to reach every recipe and value kind many times, in seconds. */
const RUNS: Record<string, number> = {
  logout: 120,
  'logout-all': 60,
  'change-password': 100,
  'PATCH me': 150,
  'DELETE me': 30,
  Authorization: 200,
};

describe('fuzzing the Bearer endpoints over the real server', () => {
  let world: FuzzWorld;
  let doomed: Doomed;
  let endpoints: FuzzEndpoint[];

  before(async () => {
    world = await FuzzWorld.start();
    doomed = { account: await world.newAccount(), deactivated: [] };
    endpoints = bearerEndpoints(world, doomed);
  });
  after(async () => {
    await world.close();
  });

  for (const name of Object.keys(RUNS).filter((run) => run !== 'Authorization')) {
    it(`${name}: any body gets a 4xx in the standard shape or a documented success, never a 5xx or a secret`, async (t) => {
      const endpoint = endpoints.find((candidate) => candidate.name === name)!;
      await world.fuzzEndpoint(t, endpoint, RUNS[name], keptCases(name));
      t.diagnostic(`${name} answered ${world.outcomesOf(name)}`);
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
    await assertDeactivatedStayOut(world, doomed);
    world.assertCleanLogs();
  });
});
