import { Logger } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { AppConfig } from '../config/environment.js';
import { createApp } from './create-app.js';
import { assertDatabaseExists } from './database-preflight.js';
import { outboxLocation, startupWarnings } from './startup-report.js';

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'];
/**
 * Every request is bounded (database, Redis and SMTP timeouts), so a shutdown that takes longer
 * than this is stuck: the process exits with 1 rather than outlive its orchestrator's grace
 * period (30 s by default in Kubernetes).
 */
const SHUTDOWN_TIMEOUT_MS = 20_000;

function exitIfShutdownStalls(): void {
  setTimeout(() => {
    Logger.error(`Shutdown did not finish within ${SHUTDOWN_TIMEOUT_MS} ms; exiting`, 'Bootstrap');
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
}

/**
 * Runs the standalone service on a validated configuration: checks that its database exists,
 * logs what the operator should know (`startupWarnings`), listens on `HOST`:`PORT` and handles
 * the process's signals. Rejects when the service cannot start; `main.ts` prints the one line.
 */
export async function startService(config: AppConfig): Promise<void> {
  await assertDatabaseExists(config.database);
  for (const warning of startupWarnings(config)) Logger.warn(warning, 'Config');
  const app = await createApp(config);
  // SIGTERM (a deployment, a scale-in) and SIGINT: stop taking requests (new ones get 503 and the
  // connection closes, so the load balancer tries another instance), finish those in flight,
  // close the Redis connection and the database pool, exit 0.
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, exitIfShutdownStalls);
  await app.listen({ port: config.http.port, host: config.http.host });
  const docs = config.http.docsEnabled ? ' (docs at /docs)' : '';
  Logger.log(`otp-auth listening on ${await app.getUrl()}${docs}`, 'Bootstrap');
  if (config.otpAuth.mail.outboxEnabled) {
    const { port } = app.getHttpServer().address() as AddressInfo;
    Logger.log(outboxLocation(config.http.host, port), 'Bootstrap');
  }
}
