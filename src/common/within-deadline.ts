import { setTimeout as delay } from 'node:timers/promises';

/**
 * What `work` gives, or a rejection with `no answer within <ms> ms` once `ms` have passed,
 * whichever comes first. The timer is cleared as soon as either settles, so a fast answer leaves
 * nothing behind. `work` itself is not cancelled: it is the caller's bound on how long to wait.
 */
export async function withinDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  const deadline = new AbortController();
  try {
    return await Promise.race([
      work,
      delay(ms, undefined, { signal: deadline.signal }).then(() => {
        throw new Error(`no answer within ${ms} ms`);
      }),
    ]);
  } finally {
    deadline.abort();
  }
}
