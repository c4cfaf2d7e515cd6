import { CacheModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { Keyv } from 'keyv';
import { AtomicStore } from './atomic-store.js';
import { AtomicStoreModule } from './atomic-store.module.js';
import { KeyvAtomicStoreAdapter } from './keyv-atomic-store.adapter.js';

/**
 * Shared state: the {@link AtomicStore} for counters, cooldowns and revocation lookups, and a
 * cache-manager cache for plain read-through caching on top of it. Both live in process by
 * default and in Redis when `redisUrl` is set, on one connection and under one key prefix.
 */
@Module({
  imports: [
    AtomicStoreModule,
    CacheModule.registerAsync({
      imports: [AtomicStoreModule],
      inject: [AtomicStore],
      useFactory: (store: AtomicStore) => ({
        stores: [
          new Keyv({
            store: new KeyvAtomicStoreAdapter(store),
            namespace: 'cache',
            // A store that does not answer fails the request (503) like the rest of the state,
            // instead of passing for a cache miss.
            throwOnErrors: true,
          }),
        ],
      }),
    }),
  ],
  exports: [AtomicStoreModule, CacheModule],
})
export class StateModule {}
