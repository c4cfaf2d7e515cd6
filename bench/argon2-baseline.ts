/**
 * An argon2id ceiling: verifications (or hashes) per second with the service's own parameters
 * and PasswordHasher, as many at a time as libuv's thread pool has threads, for `durationMs`. Run as a child process with the server's environment, so that the parameters and
 * the thread pool are the server's; prints one JSON line.
 */
import 'reflect-metadata';
import { parseEnvironment } from '../src/config/environment.js';
import { PasswordHasher } from '../src/password/password-hasher.service.js';

interface Argon2Figures {
  operation: 'verify' | 'hash';
  poolSize: number;
  concurrency: number;
  params: { memoryCostKiB: number; timeCost: number; parallelism: number };
  perSecond: number;
}

async function measure(
  durationMs: number,
  concurrency: number,
  operation: () => Promise<unknown>,
): Promise<number> {
  let done = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await operation();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

async function main(): Promise<void> {
  const durationMs = Number(process.env.BENCH_ARGON2_DURATION_MS ?? 10_000);
  const warmupMs = Number(process.env.BENCH_ARGON2_WARMUP_MS ?? 1_000);
  const poolSize = Number(process.env.BENCH_POOL_SIZE);
  const { otpAuth } = parseEnvironment(
    { ...process.env, NODE_ENV: 'test' },
    { developmentSecret: () => 'argon2-baseline-secret-0123456789abcdef' },
  );
  const hasher = new PasswordHasher(otpAuth);
  const password = 'violet lantern harbor';
  const hash = await hasher.hash(password);
  const operation = process.env.BENCH_ARGON2_OPERATION === 'hash' ? 'hash' : 'verify';
  const run =
    operation === 'hash'
      ? () => hasher.hash(password)
      : async () => {
          if (!(await hasher.verify(hash, password))) throw new Error('verify failed');
        };
  await measure(warmupMs, poolSize, run);
  const figures: Argon2Figures = {
    operation,
    poolSize,
    concurrency: poolSize,
    params: otpAuth.password.argon2,
    perSecond: await measure(durationMs, poolSize, run),
  };
  console.log(JSON.stringify(figures));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
