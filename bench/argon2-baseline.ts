/**
 * The argon2id ceilings: verifications or hashes per second with the service's own parameters
 * and PasswordHasher, as many at a time as libuv's thread pool has threads (the service's pool:
 * the bench starts this process with the same UV_THREADPOOL_SIZE). A child process of the bench,
 * told over IPC to measure one operation for a number of milliseconds at a time, so that the
 * bench can interleave it with the scenario it is the ceiling of.
 */
import 'reflect-metadata';
import { parseEnvironment } from '../src/config/environment.js';
import { PasswordHasher } from '../src/password/password-hasher.service.js';

/** A request from the bench. */
export interface Argon2Request {
  operation: 'verify' | 'hash';
  ms: number;
}

/** The answer: what was done, in how long, for how much CPU time (all threads). */
export interface Argon2Slice {
  operations: number;
  seconds: number;
  cpuSeconds: number;
  params: { memoryCostKiB: number; timeCost: number; parallelism: number };
  concurrency: number;
}

async function main(): Promise<void> {
  const concurrency = Number(process.env.UV_THREADPOOL_SIZE);
  const { otpAuth } = parseEnvironment(
    { ...process.env, NODE_ENV: 'test' },
    { developmentSecret: () => 'argon2-baseline-secret-0123456789abcdef' },
  );
  const hasher = new PasswordHasher(otpAuth);
  const password = 'violet lantern harbor';
  const hash = await hasher.hash(password);
  const operations = {
    verify: async () => {
      if (!(await hasher.verify(hash, password))) throw new Error('verify failed');
    },
    hash: () => hasher.hash(password),
  };

  process.on('message', (request: Argon2Request) => {
    void (async () => {
      const operation = operations[request.operation];
      let done = 0;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const deadline = started + request.ms;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() < deadline) {
            await operation();
            done += 1;
          }
        }),
      );
      const cpu = process.cpuUsage(cpuBefore);
      const slice: Argon2Slice = {
        operations: done,
        seconds: (performance.now() - started) / 1000,
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
        params: otpAuth.password.argon2,
        concurrency,
      };
      process.send!(slice);
    })();
  });
  process.on('disconnect', () => process.exit(0));
  process.send!('ready');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
