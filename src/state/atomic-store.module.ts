import { Module } from '@nestjs/common';
import { DEFAULT_REDIS_KEY_PREFIX, type OtpAuthOptions } from '../config/otp-auth-options.js';
import { OTP_AUTH_OPTIONS } from '../core/otp-auth-core.module-definition.js';
import { AtomicStore } from './atomic-store.js';
import { MemoryAtomicStore } from './memory-atomic-store.js';
import { RedisAtomicStore } from './redis-atomic-store.js';

/**
 * The {@link AtomicStore}: in process by default (at most `memoryStoreMaxEntries` keys), Redis
 * when `redisUrl` is set, every key under `redisKeyPrefix` so that several deployments or a host
 * app can share one Redis.
 */
@Module({
  providers: [
    {
      provide: AtomicStore,
      inject: [OTP_AUTH_OPTIONS],
      useFactory: (options: OtpAuthOptions): AtomicStore =>
        options.redisUrl
          ? new RedisAtomicStore(
              options.redisUrl,
              options.redisKeyPrefix ?? DEFAULT_REDIS_KEY_PREFIX,
            )
          : new MemoryAtomicStore(options.memoryStoreMaxEntries),
    },
  ],
  exports: [AtomicStore],
})
export class AtomicStoreModule {}
