import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { AtomicStore } from './atomic-store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

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
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  getMany(keys: readonly string[]): Promise<(string | null)[]> {
    const now = Date.now();
    return Promise.resolve(keys.map((key) => this.live(key, now)?.value ?? null));
  }

  set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    return Promise.resolve();
  }

  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return Promise.resolve(false);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs });
    return Promise.resolve(true);
  }

  increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    if (!entry) {
      this.entries.set(key, { value: '1', expiresAt: Date.now() + ttlMs });
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

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  private live(key: string, now = Date.now()): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt <= now) this.entries.delete(key);
    }
  }
}
