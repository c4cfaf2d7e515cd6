import { Logger } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource, type DataSourceOptions, type QueryRunner } from 'typeorm';

/** PostgreSQL advisory lock held while migrating: "otp-auth" as a 64-bit number. */
const MIGRATION_LOCK_ID = '8031167375719363688';
/** How long an instance waits for another one to finish migrating before giving up. */
const LOCK_WAIT_MS = 120_000;
const LOCK_POLL_MS = 250;

/**
 * Runs the pending migrations, one instance at a time: instances that start together on a new
 * database (a deployment of N replicas) would otherwise all create the same tables, and all but
 * one fail. On PostgreSQL a session advisory lock serializes them; the next holder then finds
 * nothing left to run. Migrations run on a connection of their own without the request timeouts
 * (a migration may take longer than a request should), in one transaction.
 */
export async function runPendingMigrations(
  options: DataSourceOptions,
  logger = new Logger('Database'),
): Promise<void> {
  const migrator = new DataSource(
    options.type === 'postgres'
      ? {
          ...options,
          migrationsRun: false,
          extra: {
            ...(options.extra as Record<string, unknown>),
            max: 2,
            statement_timeout: 0,
            query_timeout: 0,
          },
        }
      : { ...options, migrationsRun: false },
  );
  await migrator.initialize();
  const lock = options.type === 'postgres' ? migrator.createQueryRunner() : undefined;
  try {
    if (lock) await acquireLock(lock, logger);
    const ran = await migrator.runMigrations({ transaction: 'all' });
    if (ran.length > 0) {
      logger.log(
        `Ran ${ran.length} migration(s): ${ran.map((migration) => migration.name).join(', ')}`,
      );
    }
  } finally {
    // Closing the connection would release the lock as well; this says so.
    if (lock) {
      await lock
        .query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_ID])
        .catch(() => undefined);
      await lock.release();
    }
    await migrator.destroy();
  }
}

async function acquireLock(runner: QueryRunner, logger: Logger): Promise<void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let waiting = false;
  for (;;) {
    const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock($1::bigint) AS locked', [
      MIGRATION_LOCK_ID,
    ])) as { locked: boolean }[];
    if (locked) return;
    if (Date.now() > deadline) {
      throw new Error(`another instance has been migrating for more than ${LOCK_WAIT_MS} ms`);
    }
    if (!waiting) logger.log('Another instance is migrating the database; waiting for it');
    waiting = true;
    await delay(LOCK_POLL_MS);
  }
}
