import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AtomicStore, type WindowCount } from './atomic-store.js';

/** What a key holds: a string, a map of fields, or a sliding-window log (member → time). */
type Entry = { expiresAt: number } & (
  | { kind: 'string'; value: string }
  | { kind: 'fields'; fields: Map<string, string> }
  | { kind: 'window'; records: Map<string, number> }
);

const SWEEP_INTERVAL_MS = 30_000;

/**
 * The in-process store. Each method runs to completion without awaiting, so on one event loop
 * every operation is atomic. Expired entries are dropped on read and by a periodic sweep, which
 * keeps memory bounded by what is alive.
 */
@Injectable()
export class MemoryAtomicStore extends AtomicStore implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key, 'string')?.value ?? null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return Promise.resolve(keys.map((key) => this.live(key, 'string', now)?.value ?? null));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { kind: 'string', value, expiresAt: Date.now() + ttlMs });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    this.entries.set(key, { kind: 'string', value, expiresAt: Date.now() + ttlMs });
    return Promise.resolve(true);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key, 'string');
    if (!entry) {
      this.entries.set(key, { kind: 'string', value: '1', expiresAt: Date.now() + ttlMs });
      return Promise.resolve(1);
    }
    const next = Number(entry.value) + 1;
    entry.value = String(next);
    return Promise.resolve(next);
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
    for (const key of keys) this.entries.delete(key);
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
    } else {
      this.entries.set(key, { kind: 'fields', fields: new Map([[field, value]]), expiresAt });
    }
    return Promise.resolve();
  }

  getFields(key: string): Promise<Record<string, string>> {
    return Promise.resolve(Object.fromEntries(this.live(key, 'fields')?.fields ?? []));
  }

  deleteField(key: string, field: string): Promise<void> {
    const entry = this.live(key, 'fields');
    if (entry?.fields.delete(field) && entry.fields.size === 0) this.entries.delete(key);
    return Promise.resolve();
  }

  addToWindow(key: string, member: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    const entry = this.window(key, windowMs, now);
    if (entry) {
      entry.records.set(member, now);
      entry.expiresAt = now + windowMs;
    } else {
      this.entries.set(key, {
        kind: 'window',
        records: new Map([[member, now]]),
        expiresAt: now + windowMs,
      });
    }
    return this.countWindow(key, windowMs);
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
    if (entry?.records.delete(member) && entry.records.size === 0) this.entries.delete(key);
    return Promise.resolve();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** The log at `key` without the records that have left the window, if it has any left. */
  private window(key: string, windowMs: number, now: number) {
    const entry = this.live(key, 'window', now);
    if (!entry) return undefined;
    for (const [member, at] of entry.records) {
      if (at <= now - windowMs) entry.records.delete(member);
    }
    if (entry.records.size > 0) return entry;
    this.entries.delete(key);
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
      this.entries.delete(key);
      return undefined;
    }
    if (kind !== undefined && entry.kind !== kind) {
      throw new Error(`WRONGTYPE: ${key} holds a ${entry.kind}, not a ${kind}`);
    }
    return entry as Extract<Entry, { kind: K }>;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
