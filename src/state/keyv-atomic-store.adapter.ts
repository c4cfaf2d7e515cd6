import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { EventEmitter } from 'node:events';
import { AtomicStore } from './atomic-store.js';

/** Nothing is cached forever: entries set without a lifetime get this one. */
const DEFAULT_TTL_MS = 24 * 3600_000;

/**
 * A Keyv storage adapter over the {@link AtomicStore}, so that cache-manager's cache uses the
 * store's connection, key prefix, deadlines and lifecycle instead of a Redis client of its own:
 * one connection per instance, and a cache that fails like the rest of the state (503) instead
 * of hanging on a Redis that does not answer. Keyv prefixes keys with its namespace and
 * serializes values itself.
 */
export class KeyvAtomicStoreAdapter extends EventEmitter implements KeyvStoreAdapter {
  readonly opts = { dialect: 'otp-auth-atomic-store' };
  namespace?: string;

  constructor(private readonly store: AtomicStore) {
    super();
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return ((await this.store.get(key)) ?? undefined) as StoredData<Value> | undefined;
  }

  async set(key: string, value: string, ttl?: number): Promise<void> {
    // A cache: what it holds can be asked for again, so it may go first when memory is short.
    await this.store.set(key, value, ttl && ttl > 0 ? ttl : DEFAULT_TTL_MS, { evictable: true });
  }

  async delete(key: string): Promise<boolean> {
    await this.store.delete(key);
    return true;
  }

  /** Not offered: clearing a namespace would need a scan of the whole store. */
  clear(): Promise<void> {
    return Promise.reject(new Error('clearing the cache is not supported'));
  }

  /** The connection belongs to the AtomicStore, which closes it after the HTTP server. */
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}
