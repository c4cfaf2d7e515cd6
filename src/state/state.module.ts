import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import KeyvRedis from '@keyv/redis';
import { Keyv } from 'keyv';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { OTP_AUTH_OPTIONS } from '../core/otp-auth-core.module-definition.js';
import { AtomicStore } from './atomic-store.js';
import { MemoryAtomicStore } from './memory-atomic-store.js';
import { RedisAtomicStore } from './redis-atomic-store.js';

/** Prefix of every key otp-auth writes, so that it can share a Redis with a host app. */
export const STATE_KEY_PREFIX = 'otp-auth:';

/**
 * Shared state: the {@link AtomicStore} for counters, cooldowns and revocation lookups, and a
 * cache-manager cache for plain read-through caching. Both live in process by default and in
 * Redis when `redisUrl` is set.
 */
@Module({
  imports: [
    CacheModule.registerAsync({
      inject: [OTP_AUTH_OPTIONS],
      useFactory: (options: OtpAuthOptions) => ({
        stores: options.redisUrl
          ? [
              new Keyv({
                store: new KeyvRedis(options.redisUrl),
                namespace: `${STATE_KEY_PREFIX}cache`,
              }),
            ]
          : [new Keyv()],
      }),
    }),
  ],
  providers: [
    {
      provide: AtomicStore,
      inject: [OTP_AUTH_OPTIONS],
      useFactory: (options: OtpAuthOptions): AtomicStore =>
        options.redisUrl
          ? new RedisAtomicStore(options.redisUrl, STATE_KEY_PREFIX)
          : new MemoryAtomicStore(),
    },
  ],
  exports: [AtomicStore, CacheModule],
})
export class StateModule {}
