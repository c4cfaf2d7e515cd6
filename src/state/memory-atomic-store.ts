import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { StoreUnavailableError } from '../common/errors/infrastructure-error.js';
import {
  AtomicStore,
  type CounterState,
  type StoreWriteOptions,
  type WindowCount,
} from './atomic-store.js';

/** What a key holds: a string, a map of fields, or a sliding-window log (member → time). */
type Entry = { expiresAt: number } & (
  | { kind: 'string'; value: string }
  | { kind: 'fields'; fields: Map<string, string> }
  | { kind: 'window'; records: Map<string, number> }
);

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
 * the oldest entry written as evictable (a cached copy of the database or of an API answer),
 * then the oldest entry whose `evictableAfterMs` has passed (a revocation mark, once its database
 * row is surely there: without this, a day of refreshes would fill the store with the marks of
 * rotated tokens, and every refresh after that would be refused).
 * Counters, cooldowns and pending registrations are never dropped before they expire: dropping
 * a lockout counter or a cooldown would reset a limit for the price of filling the store, cheaper
 * than waiting it out. With none of those to spare, the write is refused as a store that does
 * not answer (503, failing closed) and an evictable write is simply not kept, until entries
 * expire.
 */
@Injectable()
export class MemoryAtomicStore extends AtomicStore implements OnModuleDestroy {
  private readonly logger = new Logger(MemoryAtomicStore.name);
  private readonly entries = new Map<string, Entry>();
  /** The keys written as evictable, oldest first (a Set keeps insertion order). */
  private readonly evictable = new Set<string>();
  /**
   * The keys written with `evictableAfterMs`, oldest first, with the time from which each may be
   * dropped. Callers give one duration for one kind of value, so the oldest is due first.
   */
  private readonly settling = new Map<string, number>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  private lastSweep = 0;
  private lastFullWarning = 0;

  constructor(private readonly maxEntries = DEFAULT_MAX_ENTRIES) {
    super();
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key, 'string')?.value ?? null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return Promise.resolve(keys.map((key) => this.live(key, 'string', now)?.value ?? null));
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
    const entry = this.live(key, 'string');
    if (entry) {
      const next = Number(entry.value) + 1;
      entry.value = String(next);
      return Promise.resolve(next);
    }
    return settled(() => (this.write(key, '1', ttlMs, {}), 1));
  }

  async incrementWithTtl(key: string, ttlMs: number): Promise<CounterState> {
    // Both steps run before the first await returns: nothing runs in between.
    const count = this.increment(key, ttlMs);
    const entry = this.live(key, 'string');
    return { count: await count, ttlMs: entry ? entry.expiresAt - Date.now() : 0 };
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

  setField(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    const entry = this.live(key, 'fields');
    if (entry) {
      entry.fields.set(field, value);
      entry.expiresAt = expiresAt;
      return Promise.resolve();
    }
    return settled(() =>
      this.insert(key, { kind: 'fields', fields: new Map([[field, value]]), expiresAt }, false),
    );
  }

  getFields(key: string): Promise<Record<string, string>> {
    return Promise.resolve(Object.fromEntries(this.live(key, 'fields')?.fields ?? []));
  }

  deleteField(key: string, field: string): Promise<void> {
    const entry = this.live(key, 'fields');
    if (entry?.fields.delete(field) && entry.fields.size === 0) this.forget(key);
    return Promise.resolve();
  }

  addToWindow(key: string, member: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    const entry = this.window(key, windowMs, now);
    if (entry) {
      entry.records.set(member, now);
      entry.expiresAt = now + windowMs;
      return this.countWindow(key, windowMs);
    }
    const records = new Map([[member, now]]);
    return settled(() => {
      this.insert(key, { kind: 'window', records, expiresAt: now + windowMs }, false);
      return { count: 1, oldestLeavesInMs: windowMs };
    });
  }

  countWindow(key: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    const records = [...(this.window(key, windowMs, now)?.records.values() ?? [])];
    return Promise.resolve({
      count: records.length,
      oldestLeavesInMs: records.length > 0 ? Math.min(...records) + windowMs - now : 0,
    });
  }

  removeFromWindow(key: string, member: string): Promise<void> {
    const entry = this.live(key, 'window');
    if (entry?.records.delete(member) && entry.records.size === 0) this.forget(key);
    return Promise.resolve();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private write(key: string, value: string, ttlMs: number, options: StoreWriteOptions): void {
    const now = Date.now();
    const entry: Entry = { kind: 'string', value, expiresAt: now + ttlMs };
    const evictable = options.evictable === true;
    const evictableFrom =
      !evictable && options.evictableAfterMs !== undefined
        ? now + options.evictableAfterMs
        : undefined;
    this.insert(key, entry, evictable, evictableFrom);
  }

  /** Sets an entry, making room for a new key first; throws when there is none to make. */
  private insert(key: string, entry: Entry, evictable: boolean, evictableFrom?: number): void {
    if (!this.entries.has(key) && !this.makeRoom(evictable)) return;
    this.entries.set(key, entry);
    // Re-added at the end: the eviction order is the order of the last write.
    this.evictable.delete(key);
    this.settling.delete(key);
    if (evictable) this.evictable.add(key);
    else if (evictableFrom !== undefined) this.settling.set(key, evictableFrom);
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
    const [due] = this.settling;
    if (due !== undefined && due[1] <= now) {
      this.forget(due[0]);
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
    this.settling.delete(key);
  }

  /** The log at `key` without the records that have left the window, if it has any left. */
  private window(key: string, windowMs: number, now: number) {
    const entry = this.live(key, 'window', now);
    if (!entry) return undefined;
    for (const [member, at] of entry.records) {
      if (at <= now - windowMs) entry.records.delete(member);
    }
    if (entry.records.size > 0) return entry;
    this.forget(key);
    return undefined;
  }

  /** The entry at `key` unless it has expired; with `kind`, refuses one of another kind. */
  private live<K extends Entry['kind']>(
    key: string,
    kind?: K,
    now = Date.now(),
  ): Extract<Entry, { kind: K }> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.forget(key);
      return undefined;
    }
    if (kind !== undefined && entry.kind !== kind) {
      throw new Error(`WRONGTYPE: ${key} holds a ${entry.kind}, not a ${kind}`);
    }
    return entry as Extract<Entry, { kind: K }>;
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
