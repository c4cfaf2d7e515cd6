import { createClient } from '@keyv/redis';
import { Socket } from 'node:net';
import { DataSource } from 'typeorm';

/** True when something accepts TCP connections at `host:port` within a second. */
export function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/** A PostgreSQL database of the bench's own, created for one run and dropped after it. */
export class ScratchPostgres {
  private constructor(
    private readonly adminUrl: string,
    readonly name: string,
  ) {}

  static async create(adminUrl: string, name: string): Promise<ScratchPostgres> {
    await ScratchPostgres.admin(adminUrl, (db) => db.query(`CREATE DATABASE "${name}"`));
    return new ScratchPostgres(adminUrl, name);
  }

  get url(): string {
    const url = new URL(this.adminUrl);
    url.pathname = `/${this.name}`;
    return url.toString();
  }

  async drop(): Promise<void> {
    await ScratchPostgres.admin(this.adminUrl, (db) =>
      db.query(`DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`),
    );
  }

  private static async admin(url: string, work: (db: DataSource) => Promise<unknown>) {
    const db = new DataSource({ type: 'postgres', url, connectTimeoutMS: 3_000 });
    await db.initialize();
    try {
      await work(db);
    } finally {
      await db.destroy();
    }
  }
}

/**
 * A Redis logical database the bench has to itself: the highest index from 15 down to 8 that
 * holds no key at the start. It is flushed afterwards, which only ever drops what the bench
 * wrote there. Database 0 is never used.
 */
export class ScratchRedis {
  private constructor(
    private readonly baseUrl: string,
    readonly index: number,
  ) {}

  static async claim(baseUrl: string): Promise<ScratchRedis | null> {
    for (let index = 15; index >= 8; index--) {
      const client = createClient({ url: baseUrl, database: index });
      await client.connect();
      try {
        if ((await client.dbSize()) === 0) return new ScratchRedis(baseUrl, index);
      } finally {
        await client.close();
      }
    }
    return null;
  }

  get url(): string {
    const url = new URL(this.baseUrl);
    url.pathname = `/${this.index}`;
    return url.toString();
  }

  async flush(): Promise<void> {
    const client = createClient({ url: this.url });
    await client.connect();
    try {
      await client.flushDb();
    } finally {
      await client.close();
    }
  }
}
