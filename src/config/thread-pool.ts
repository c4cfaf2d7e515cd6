import { availableParallelism } from 'node:os';
import type { Environment } from './environment.js';

/**
 * The size of libuv's thread pool, where argon2id runs (off the event loop), and sqlite3 too:
 * `UV_THREADPOOL_SIZE` when set, else one thread per core. libuv's own default is 4 whatever the
 * machine: on two cores that runs four 19 MiB argon2id hashes at once for no more throughput,
 * each twice as slow and with twice the memory.
 * https://docs.libuv.org/en/v1.x/threadpool.html
 */
export function threadPoolSize(env: Environment): number {
  const configured = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(configured) && configured > 0 ? configured : availableParallelism();
}
