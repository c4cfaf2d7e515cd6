import { after, before, describe, it } from 'node:test';
import { sessionEndpoints } from './support/fuzz-endpoints.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';

/** Runs per endpoint: every recipe and kind of value many times over, in a few seconds. */
const RUNS: Record<string, number> = {
  login: 120,
  'token/refresh': 150,
  'forgot-password': 150,
  'reset-password': 120,
};

describe('fuzzing the public session and password endpoints over the real server', () => {
  let world: FuzzWorld;
  let endpoints: FuzzEndpoint[];

  before(async () => {
    world = await FuzzWorld.start();
    endpoints = sessionEndpoints(world);
  });
  after(async () => {
    await world.close();
  });

  for (const name of Object.keys(RUNS)) {
    it(`POST ${name}: any body gets a 4xx in the standard shape or a documented success, never a 5xx or a secret`, async (t) => {
      const endpoint = endpoints.find((candidate) => candidate.name === name)!;
      await world.fuzzEndpoint(t, endpoint, RUNS[name], keptCases(name));
      t.diagnostic(`${name} answered ${world.outcomesOf(name)}`);
    });
  }

  it('afterwards: the account works with what the successes told, every revoked token stays dead, the logs are clean', async () => {
    await world.assertInvariants();
    world.assertCleanLogs();
  });
});
