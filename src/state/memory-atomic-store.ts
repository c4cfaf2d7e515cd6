import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { StoreUnavailableError } from '../common/errors/infrastructure-error.js';
import { AtomicStore, type StoreWriteOptions } from './atomic-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/** Entries the in-process store holds at most, unless told otherwise. */
export const DEFAULT_MAX_ENTRIES = 100_000;
const SWEEP_INTERVAL_MS = 30_000;
/** A full store looks for expired entries at most this often, so a flood cannot make it scan. */
const FULL_SWEEP_INTERVAL_MS = 1_000;
/** A full store says so in the log at most this often. */
const FULL_WARNING_INTERVAL_MS = 60_000;

/**
 * The in-process store. Each method runs to completion without awaiting, so on one event loop
 * every operation is atomic. Expired entries are dropped on read and by a periodic sweep.
 *
 * It holds at most `maxEntries` keys, however many clients write them. When a new key finds it
 * full, the store drops what it can lose without weakening anything: expired entries first, then
 * the oldest entry written as evictable (a cached copy of the database or of an API answer).
 * Counters, cooldowns, pending registrations and revocation marks are never dropped before they
 * expire: dropping a lockout counter or a cooldown would reset a limit for the price of
 * filling the store, cheaper than waiting it out. With none of those to spare, the write is
 * refused as a store that does not answer (503, failing closed) and an evictable write is
 * simply not kept, until entries expire.
 */
@Injectable()
export class MemoryAtomicStore extends AtomicStore implements OnModuleDestroy {
  private readonly logger = new Logger(MemoryAtomicStore.name);
  private readonly entries = new Map<string, Entry>();
  /** The keys written as evictable, oldest first (a Set keeps insertion order). */
  private readonly evictable = new Set<string>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  private lastSweep = 0;
  private lastFullWarning = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {
    super();
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return Promise.resolve(keys.map((key) => this.live(key, now)?.value ?? null));
  }

  set(key: string, value: string, ttlMs: number, options: StoreWriteOptions = {}): Promise<void> {
    return settled(() => this.write(key, value, ttlMs, options));
  }

  setIfAbsent(
    key: string,
    value: string,
    ttlMs: number,
    options: StoreWriteOptions = {},
  ): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    // An evictable value that finds no room counts as set, and dropped at once.
    return settled(() => (this.write(key, value, ttlMs, options), true));
  }

  increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    if (entry) {
      const next = Number(entry.value) + 1;
      entry.value = String(next);
      return Promise.resolve(next);
    }
    return settled(() => (this.write(key, '1', ttlMs, {}), 1));
  }

  expire(key: string, ttlMs: number): Promise<void> {
    const entry = this.live(key);
    if (entry) entry.expiresAt = Date.now() + ttlMs;
    return Promise.resolve();
  }

  ttl(key: string): Promise<number> {
    const entry = this.live(key);
    return Promise.resolve(entry ? entry.expiresAt - Date.now() : 0);
  }

  delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.forget(key);
    return Promise.resolve();
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Sets an entry, making room for a new key first; throws when there is none to make. */
  private write(key: string, value: string, ttlMs: number, options: StoreWriteOptions): void {
    const evictable = options.evictable === true;
    if (!this.entries.has(key) && !this.makeRoom(evictable)) return;
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    // Re-added at the end: the eviction order is the order of the last write.
    this.evictable.delete(key);
    if (evictable) this.evictable.add(key);
  }

  /**
   * Whether a new key may be added, after dropping an expired or evictable entry if the store is
   * full. False only for an evictable write (not kept); any other write that finds no room throws.
   */
  private makeRoom(evictableWrite: boolean): boolean {
    if (this.entries.size < this.maxEntries) return true;
    const now = Date.now();
    if (now - this.lastSweep >= FULL_SWEEP_INTERVAL_MS) {
      this.sweep();
      if (this.entries.size < this.maxEntries) return true;
    }
    const oldest = this.evictable.values().next();
    if (!oldest.done) {
      this.forget(oldest.value);
      return true;
    }
    if (evictableWrite) return false;
    if (now - this.lastFullWarning >= FULL_WARNING_INTERVAL_MS) {
      this.lastFullWarning = now;
      this.logger.warn(
        `In-process state is full (${this.maxEntries} entries, none evictable): new limit ` +
          'counters and cooldowns are refused (503) until entries expire. Raise ' +
          'MEMORY_STORE_MAX_ENTRIES or use Redis.',
      );
    }
    throw new StoreUnavailableError(`in-process state is full (${this.maxEntries} entries)`);
  }

  private forget(key: string): void {
    this.entries.delete(key);
    this.evictable.delete(key);
  }

  private live(key: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.forget(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.forget(key);
    }
  }
}

/**
 * The result of `operation` as a promise, rejected when it throws (a full store). The executor
 * runs at once, so the operation stays atomic.
 */
function settled<T>(operation: () => T): Promise<T> {
  return new Promise((resolve) => resolve(operation()));
}
