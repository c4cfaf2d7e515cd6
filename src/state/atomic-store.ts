/** How a write may be treated when the store runs out of room. */
export interface StoreWriteOptions {
  /**
   * The value is a copy of something kept elsewhere (the database, an API's verdict), whose loss
   * costs only a reload. The in-process store drops such entries first when it is full; anything
   * else (counters, cooldowns, pending registrations, revocation marks) stays until it expires.
   */
  evictable?: boolean;
}

/**
 * Short-lived shared state with operations that are atomic on their own: counters, cooldowns,
 * pending registrations and the revocation cache. In process by default; Redis when several
 * instances must see the same state. Every method may reject when the backing store does not
 * answer, and callers fail closed on that.
 */
export abstract class AtomicStore {
  abstract get(key: string): Promise<string | null>;
  abstract getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** Sets `key`, replacing any value and lifetime. */
  abstract set(
    key: string,
    value: string,
    ttlMs: number,
    options?: StoreWriteOptions,
  ): Promise<void>;
  /** Sets `key` only when it does not exist; tells whether it did. */
  abstract setIfAbsent(
    key: string,
    value: string,
    ttlMs: number,
    options?: StoreWriteOptions,
  ): Promise<boolean>;
  /** Adds one; a new counter starts at 1 and lives `ttlMs`, an existing one keeps its lifetime. */
  abstract increment(key: string, ttlMs: number): Promise<number>;
  /** Gives an existing key a new lifetime. */
  abstract expire(key: string, ttlMs: number): Promise<void>;
  /** Remaining lifetime in milliseconds, 0 when the key does not exist. */
  abstract ttl(key: string): Promise<number>;
  abstract delete(...keys: string[]): Promise<void>;
  /** Checks that the store answers. */
  abstract ping(): Promise<void>;
}
