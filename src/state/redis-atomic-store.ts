import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createClient } from '@keyv/redis';
import { setTimeout as delay } from 'node:timers/promises';
import { StoreUnavailableError } from '../common/errors/infrastructure-error.js';
import { withinDeadline } from '../common/within-deadline.js';
import { AtomicStore, type CounterState, type WindowCount } from './atomic-store.js';

/**
 * Bounds on every exchange with Redis, so that an outage becomes a 503 within seconds and never
 * a hang, and a Redis that comes back is used again without a restart.
 */
export const REDIS_TIMEOUTS = {
  /** Opening a connection. */
  connectMs: 2_000,
  /** One operation of the store, from call to answer, whatever the connection is doing. */
  operationMs: 2_000,
  /**
   * A connection that receives nothing for this long is dropped and reopened: a server that
   * stopped answering (hung, or cut off without a TCP reset) is noticed. The client's PINGs keep
   * a healthy idle connection above it.
   */
  socketIdleMs: 5_000,
  pingIntervalMs: 1_000,
  /** Reconnection backs off exponentially up to this delay, and never gives up. */
  maxReconnectDelayMs: 2_000,
} as const;

/**
 * The Redis store shared by every instance. Each method is one Redis command, or a MULTI block
 * that Redis runs as a whole, so no read-modify-write race exists across instances.
 *
 * Commands are never queued while the connection is down (`disableOfflineQueue`) and each
 * operation has its own deadline: any failure, however the client reports it, surfaces as a
 * {@link StoreUnavailableError}, which callers turn into a 503. node-redis' own command timeout
 * is not used for this: it only covers the wait before a command is written, not the answer.
 *
 * Writes marked evictable are written like any other: under memory pressure Redis follows its own
 * `maxmemory-policy`, which should be `noeviction` (writes refused, 503) so that no limit counter
 * is dropped early.
 */
@Injectable()
export class RedisAtomicStore extends AtomicStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisAtomicStore.name);
  private readonly client;
  private readonly firstConnection: Promise<unknown>;
  private lastError = '';

  constructor(
    url: string,
    private readonly prefix: string,
  ) {
    super();
    this.client = createClient({
      url,
      disableOfflineQueue: true,
      pingInterval: REDIS_TIMEOUTS.pingIntervalMs,
      socket: {
        connectTimeout: REDIS_TIMEOUTS.connectMs,
        socketTimeout: REDIS_TIMEOUTS.socketIdleMs,
        reconnectStrategy: (retries: number) =>
          Math.min(100 * 2 ** retries, REDIS_TIMEOUTS.maxReconnectDelayMs),
      },
    });
    this.client.on('error', (error: Error) => {
      // A server that is down reports the same error on every reconnection attempt: log changes.
      if (error.message !== this.lastError) this.logger.warn(`Redis: ${error.message}`);
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError !== '') this.logger.log('Redis: connected again');
      this.lastError = '';
    });
    // Never rejects while the reconnection strategy keeps trying; see onModuleInit.
    this.firstConnection = this.client.connect().catch(() => undefined);
  }

  /**
   * Waits for the first connection, for a bounded time, so that the first requests find it
   * ready. A Redis that is down does not stop the service from starting: requests that need it
   * get 503 until the client has reconnected, and `/health` says why.
   */
  async onModuleInit(): Promise<void> {
    await Promise.race([
      this.firstConnection,
      delay(REDIS_TIMEOUTS.connectMs, undefined, { ref: false }),
    ]);
    if (!this.client.isReady) {
      this.logger.warn('Redis is not answering yet; requests that need it get 503 until it does');
    }
  }

  get(key: string): Promise<string | null> {
    return this.run('GET', () => this.client.get(this.prefix + key));
  }

  getMany(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.run('MGET', () => this.client.mGet(keys.map((key) => this.prefix + key)));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.run('SET', () =>
      this.client.set(this.prefix + key, value, {
        expiration: { type: 'PX', value: milliseconds(ttlMs) },
      }),
    );
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    const reply = await this.run('SET NX', () =>
      this.client.set(this.prefix + key, value, {
        condition: 'NX',
        expiration: { type: 'PX', value: milliseconds(ttlMs) },
      }),
    );
    return reply === 'OK';
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const fullKey = this.prefix + key;
    const [count] = await this.run('INCR', () =>
      this.client.multi().incr(fullKey).pExpire(fullKey, milliseconds(ttlMs), 'NX').exec(),
    );
    return Number(count);
  }

  async incrementWithTtl(key: string, ttlMs: number): Promise<CounterState> {
    const fullKey = this.prefix + key;
    const [count, , remaining] = await this.run('INCR', () =>
      this.client
        .multi()
        .incr(fullKey)
        .pExpire(fullKey, milliseconds(ttlMs), 'NX')
        .pTTL(fullKey)
        .exec(),
    );
    return { count: Number(count), ttlMs: Math.max(0, Number(remaining)) };
  }

  async expire(key: string, ttlMs: number): Promise<void> {
    await this.run('PEXPIRE', () => this.client.pExpire(this.prefix + key, milliseconds(ttlMs)));
  }

  async ttl(key: string): Promise<number> {
    return Math.max(0, await this.run('PTTL', () => this.client.pTTL(this.prefix + key)));
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.run('DEL', () => this.client.del(keys.map((key) => this.prefix + key)));
  }

  async ping(): Promise<void> {
    await this.run('PING', () => this.client.ping());
  }

  async setField(key: string, field: string, value: string, ttlMs: number): Promise<void> {
    const fullKey = this.prefix + key;
    await this.run('HSET', () =>
      this.client.multi().hSet(fullKey, field, value).pExpire(fullKey, milliseconds(ttlMs)).exec(),
    );
  }

  async getFields(key: string): Promise<Record<string, string>> {
    return { ...(await this.run('HGETALL', () => this.client.hGetAll(this.prefix + key))) };
  }

  async deleteField(key: string, field: string): Promise<void> {
    await this.run('HDEL', () => this.client.hDel(this.prefix + key, field));
  }

  addToWindow(key: string, member: string, windowMs: number): Promise<WindowCount> {
    return this.window(key, windowMs, member);
  }

  countWindow(key: string, windowMs: number): Promise<WindowCount> {
    return this.window(key, windowMs);
  }

  async removeFromWindow(key: string, member: string): Promise<void> {
    await this.run('ZREM', () => this.client.zRem(this.prefix + key, member));
  }

  /**
   * Closes the connection once the HTTP server has finished its in-flight requests (Nest runs
   * `onApplicationShutdown` after closing the server; `onModuleDestroy` would run before).
   */
  async onApplicationShutdown(): Promise<void> {
    if (!this.client.isOpen) return;
    if (this.client.isReady) {
      const closed = this.client.close().then(() => true);
      if (await Promise.race([closed, delay(REDIS_TIMEOUTS.operationMs, false, { ref: false })])) {
        return;
      }
    }
    this.client.destroy();
  }

  /**
   * A log is a sorted set scored by the time of each record; one MULTI block forgets the records
   * older than the window, adds `member` if given, and counts. The instances' clocks set the
   * scores: a skew of a few seconds between them moves a window of minutes or hours by as much.
   */
  private async window(key: string, windowMs: number, member?: string): Promise<WindowCount> {
    const fullKey = this.prefix + key;
    const now = Date.now();
    const replies = await this.run(member ? 'ZADD' : 'ZCARD', () => {
      const block = this.client.multi().zRemRangeByScore(fullKey, '-inf', now - windowMs);
      if (member) {
        block.zAdd(fullKey, { score: now, value: member }).pExpire(fullKey, milliseconds(windowMs));
      }
      return block.zCard(fullKey).zRangeWithScores(fullKey, 0, 0).exec();
    });
    const [count, oldest] = replies.slice(-2) as unknown as [number, { score: number }[]];
    return {
      count: Number(count),
      oldestLeavesInMs: oldest[0] ? Math.max(0, oldest[0].score + windowMs - now) : 0,
    };
  }

  private async run<T>(command: string, operation: () => Promise<T>): Promise<T> {
    try {
      // `disableOfflineQueue` does not cover MULTI blocks: they would wait for the next
      // reconnection attempt. Nothing is sent while the connection is down.
      if (!this.client.isReady) throw new Error('not connected');
      return await withinDeadline(operation(), REDIS_TIMEOUTS.operationMs);
    } catch (error) {
      throw new StoreUnavailableError(`Redis ${command} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

/** Redis wants a whole, positive number of milliseconds. */
function milliseconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs));
}
