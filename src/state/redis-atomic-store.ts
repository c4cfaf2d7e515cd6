import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createClient } from '@keyv/redis';
import { AtomicStore } from './atomic-store.js';

/** Bound on every Redis command, so that an outage becomes a 503 instead of a hang. */
const COMMAND_TIMEOUT_MS = 2_000;

/**
 * The Redis store shared by every instance. Each method is one Redis command, or a MULTI block
 * that Redis runs as a whole, so no read-modify-write race exists across instances.
 */
@Injectable()
export class RedisAtomicStore extends AtomicStore implements OnModuleDestroy {
  private readonly logger = new Logger(RedisAtomicStore.name);
  private readonly client;
  private readonly ready: Promise<unknown>;

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    super();
    this.client = createClient({
      url,
      // Commands issued while disconnected fail at once instead of queueing without bound.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: COMMAND_TIMEOUT_MS,
        reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
      },
      commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    });
    this.client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
    this.ready = this.client.connect().catch((error: Error) => {
      this.logger.error(`Redis connection failed: ${error.message}`);
    });
  }

  async get(key: string): Promise<string | null> {
    await this.ready;
    return this.client.get(this.prefix + key);
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    await this.ready;
    return this.client.mGet(keys.map((key) => this.prefix + key));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.ready;
    await this.client.set(this.prefix + key, value, {
      expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
    });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    await this.ready;
    const reply = await this.client.set(this.prefix + key, value, {
      condition: 'NX',
      expiration: { type: 'PX', value: Math.max(1, Math.ceil(ttlMs)) },
    });
    return reply === 'OK';
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    await this.ready;
    const fullKey = this.prefix + key;
    const [count] = await this.client
      .multi()
      .incr(fullKey)
      .pExpire(fullKey, Math.max(1, Math.ceil(ttlMs)), 'NX')
      .exec();
    return Number(count);
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.ready;
    await this.client.pExpire(this.prefix + key, Math.max(1, Math.ceil(ttlMs)));
  }

  async ttl(key: string): Promise<number> {
    await this.ready;
    return Math.max(0, await this.client.pTTL(this.prefix + key));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.ready;
    await this.client.del(keys.map((key) => this.prefix + key));
  }

  async ping(): Promise<void> {
    await this.ready;
    await this.client.ping();
  }

  async onModuleDestroy(): Promise<void> {
    await this.ready;
    if (this.client.isOpen) await this.client.close();
  }
}
