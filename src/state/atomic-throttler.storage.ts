import { Injectable } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { ThrottlerStorageRecord } from '@nestjs/throttler/dist/throttler-storage-record.interface.js';
import { AtomicStore } from './atomic-store.js';

/**
 * @nestjs/throttler's storage on the {@link AtomicStore}: a fixed window per key, counted with
 * one atomic increment, so the per-IP limit holds across instances once the store is Redis.
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
    const totalHits = await this.store.increment(storeKey, ttlMs);
    const secondsLeft = Math.max(1, Math.ceil((await this.store.ttl(storeKey)) / 1000));
    return {
      totalHits,
      timeToExpire: secondsLeft,
      isBlocked: totalHits > limit,
      timeToBlockExpire: totalHits > limit ? secondsLeft : 0,
    };
  }
}
