/** A sliding-window log as {@link AtomicStore.addToWindow} and {@link AtomicStore.countWindow} see it. */
export interface WindowCount {
  /** Records within the window. */
  count: number;
  /** Milliseconds until the oldest of them leaves the window; 0 when there is none. */
  oldestLeavesInMs: number;
}

/** A counter just incremented. */
export interface CounterState {
  count: number;
  /** Milliseconds until the counter expires. */
  ttlMs: number;
}

/** How a write may be treated when the store runs out of room. */
export interface StoreWriteOptions {
  /**
   * The value is a copy of something kept elsewhere (the database, an API's verdict), whose loss
   * costs only a reload. The in-process store drops such entries first when it is full; anything
   * else (counters, cooldowns, pending registrations, revocation marks) stays until it expires.
   */
  evictable?: boolean;
  /**
   * The value must be kept this long, and may then be dropped like an evictable one: it only
   * becomes a copy once something else (a database write under way) has caught up with it.
   * Ignored when `evictable` is set.
   */
  evictableAfterMs?: number;
}

/**
 * Short-lived shared state with operations that are atomic on their own: counters, cooldowns,
 * pending registrations and the revocation cache. In process by default; Redis when several
 * instances must see the same state. Every method may reject when the backing store does not
 * answer, and callers fail closed on that.
 *
 * A key holds one kind of value: a string (the first group of methods), a map of fields, or a
 * sliding-window log; using it as another kind is an error, as in Redis.
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
  /**
   * {@link increment}, also telling the counter's remaining lifetime, in one atomic operation
   * (one round trip to Redis): what a fixed-window rate limit needs on every request.
   */
  abstract incrementWithTtl(key: string, ttlMs: number): Promise<CounterState>;
  /** Gives an existing key a new lifetime. */
  abstract expire(key: string, ttlMs: number): Promise<void>;
  /** Remaining lifetime in milliseconds, 0 when the key does not exist. */
  abstract ttl(key: string): Promise<number>;
  abstract delete(...keys: string[]): Promise<void>;
  /** Checks that the store answers. */
  abstract ping(): Promise<void>;

  /**
   * Sets one field of the map at `key`, leaving the others as they are (writers of different
   * fields never lose each other's writes), and gives the whole map the lifetime `ttlMs`.
   */
  abstract setField(key: string, field: string, value: string, ttlMs: number): Promise<void>;
  /** Every field of the map at `key`; empty when it does not exist. */
  abstract getFields(key: string): Promise<Record<string, string>>;
  /** Removes one field of the map at `key`; a map left empty no longer exists. */
  abstract deleteField(key: string, field: string): Promise<void>;

  /**
   * Records `member` (unique to the caller) in the sliding-window log at `key` and tells how many
   * records the window holds now, this one included. Records older than `windowMs` are forgotten;
   * the log lives as long as its newest record. A caller counts first and then judges, and takes
   * its record back ({@link removeFromWindow}) when it is refused or what it counted did not happen,
   * so that concurrent callers can at worst be refused too many, never granted too many.
   */
  abstract addToWindow(key: string, member: string, windowMs: number): Promise<WindowCount>;
  /** Counts the records of the log at `key` within `windowMs`, adding none. */
  abstract countWindow(key: string, windowMs: number): Promise<WindowCount>;
  /** Takes a record back from the log at `key`. */
  abstract removeFromWindow(key: string, member: string): Promise<void>;
}
