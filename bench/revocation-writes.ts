/**
 * Revocation writes, as a service with many users makes them: the real app on the SQLite file the
 * bench names revokes tokens through its own TokenRevocationService (the call a refresh makes), 50
 * at a time so that the group commit forms as it does under load, each for a user drawn from
 * 100,000. The refresh scenario cannot show this: its chains belong to a handful of accounts.
 * Prints one JSON line: rows per second and the process's CPU time per row (every thread: the
 * event loop and SQLite's).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { TokenRevocationService } from '../src/auth/revocation/token-revocation.service.js';
import { newTokenId } from '../src/auth/tokens/token-id.js';
import { createApp } from '../src/bootstrap/create-app.js';
import { loadAppConfig } from '../src/config/load-app-config.js';

const USERS = 100_000;
const CONCURRENCY = 50;

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_REVOCATIONS ?? 20_000);
  const app = await createApp(loadAppConfig(process.env), { logger: ['error', 'warn'] });
  await app.init();
  const revocation = app.get(TokenRevocationService, { strict: false });
  const users = Array.from({ length: USERS }, () => randomUUID());
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  const revokeOne = async () => {
    const userId = users[Math.floor(Math.random() * USERS)];
    if (
      !(await revocation.revokeToken(
        { jti: newTokenId(), type: 'refresh', userId, exp },
        'rotated',
      ))
    )
      throw new Error('a new token id was already revoked');
  };
  // Warm-up, not counted: the first statements prepare and JIT-compile the path.
  for (let i = 0; i < 1_000; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: CONCURRENCY }, revokeOne));
  }
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < count) {
        started += 1;
        await revokeOne();
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  console.log(
    JSON.stringify({
      rows: count,
      users: USERS,
      concurrency: CONCURRENCY,
      rowsPerSecond: count / seconds,
      cpuUsPerRow: (cpu.user + cpu.system) / count,
    }),
  );
  await app.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
