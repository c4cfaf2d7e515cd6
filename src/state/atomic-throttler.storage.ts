import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { AtomicStore } from './atomic-store.js';

/**
 * @nestjs/throttler's storage on the {@link AtomicStore}: a fixed window per key, counted with
 * one atomic increment that also tells the window's time left (one round trip to Redis), so the
 * per-IP limit holds across instances once the store is Redis.
 */
@Injectable()
export class AtomicThrottlerStorage implements ThrottlerStorage {
  constructor(private readonly store: AtomicStore) {}

  async increment(
    key: string,
    ttlMs: number,
    limit: number,
    _blockDurationMs: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    const storeKey = `throttle:${throttlerName}:${key}`;
    const { count: totalHits, ttlMs: msLeft } = await this.store.incrementWithTtl(storeKey, ttlMs);
    const secondsLeft = Math.max(1, Math.ceil(msLeft / 1000));
    return {
      totalHits,
      timeToExpire: secondsLeft,
      isBlocked: totalHits > limit,
      timeToBlockExpire: totalHits > limit ? secondsLeft : 0,
    };
  }
}
