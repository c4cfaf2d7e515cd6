import fc from 'fast-check';
import { randomInt } from 'node:crypto';
import type { TestContext } from 'node:test';

/**
 * How the fuzz tests run, and how to replay one that failed.
 *
 * Every property runs with one seed per process, printed with its run count (`ℹ register: 150
 * runs, seed 1234`). A failure prints the seed, the property and fast-check's counterexample
 * path; to replay exactly that case:
 *
 *     FUZZ_SEED=1234 FUZZ_PROPERTY=register FUZZ_PATH="17:3:0" \
 *       npx node --test build/test/adversarial/fuzz-registration.test.js
 *
 * `FUZZ_RUNS_SCALE=10` multiplies every run count (a longer hunt, outside CI);
 * `FUZZ_DATABASE_URL=postgres://…` runs the fuzzed service on an empty PostgreSQL database
 * instead of a temp SQLite file (one database per test file). A case that once
 * failed is kept for good in `fuzz-regression-cases.ts`, which the regression test replays on
 * every run and the properties also try first.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const RUNS_SCALE = process.env.FUZZ_RUNS_SCALE ? Number(process.env.FUZZ_RUNS_SCALE) : 1;

/**
 * Checks `property` on `runs` generated values (scaled by `FUZZ_RUNS_SCALE`) and on `examples`
 * first, reports the count through the test's diagnostics, and returns it.
 */
export async function fuzz<T>(
  t: TestContext,
  name: string,
  runs: number,
  arbitrary: fc.Arbitrary<T>,
  property: (value: T) => Promise<void>,
  examples: T[] = [],
): Promise<number> {
  const numRuns = Math.max(1, Math.round(runs * RUNS_SCALE));
  const replay = process.env.FUZZ_PROPERTY === name ? process.env.FUZZ_PATH : undefined;
  try {
    await fc.assert(fc.asyncProperty(arbitrary, property), {
      numRuns,
      seed: FUZZ_SEED,
      path: replay,
      examples: examples.map((example) => [example]),
    });
  } catch (error) {
    // fast-check's message carries the seed, the path and the shrunk counterexample.
    throw new Error(
      `fuzz property "${name}" failed; replay with FUZZ_SEED=${FUZZ_SEED} FUZZ_PROPERTY="${name}" FUZZ_PATH=<path below>\n${(error as Error).message}`,
      { cause: error },
    );
  }
  // fast-check runs the examples first, within numRuns.
  const kept = examples.length > 0 ? ` (the first ${examples.length} the kept cases)` : '';
  t.diagnostic(`${name}: ${numRuns} runs${kept}, seed ${FUZZ_SEED}`);
  return numRuns;
}
