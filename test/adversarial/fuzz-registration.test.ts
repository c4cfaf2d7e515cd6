import { after, before, describe, it } from 'node:test';
import { pendingRegistration, registrationEndpoints } from './support/fuzz-endpoints.js';
import { keptCases } from './support/fuzz-regression-cases.js';
import { FuzzWorld, type FuzzEndpoint } from './support/fuzz-world.js';

/** Runs per endpoint: every recipe and kind of value many times over, in a few seconds. */
const RUNS: Record<string, number> = {
  register: 150,
  'confirm-otp': 150,
  'verify-otp': 60,
  'resend-otp': 100,
};

describe('fuzzing the registration endpoints over the real server', () => {
  let world: FuzzWorld;
  let endpoints: FuzzEndpoint[];

  before(async () => {
    world = await FuzzWorld.start();
    endpoints = registrationEndpoints(world, {
      confirm: await pendingRegistration(world, 'pending'),
      resend: await pendingRegistration(world, 'resend'),
    });
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

  it('afterwards: no user exists without its mailed code, the account and revocations hold, the logs are clean', async () => {
    await world.assertInvariants();
    world.assertCleanLogs();
  });
});
