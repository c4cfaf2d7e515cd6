// First: sizes libuv's thread pool before anything uses it (see config/thread-pool.ts).
import './config/size-thread-pool.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap/create-app.js';
import { loadAppConfigOrExit } from './config/load-app-config.js';

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

async function main(): Promise<void> {
  const config = loadAppConfigOrExit();
  const app = await createApp(config);
  // SIGTERM (a deployment, a scale-in) and SIGINT: stop taking requests (new ones get 503 and the
  // connection closes, so the load balancer tries another instance), finish those in flight,
  // close the Redis connection and the database pool, exit 0.
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });
  for (const signal of SHUTDOWN_SIGNALS) process.once(signal, exitIfShutdownStalls);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
  Logger.log(`otp-auth listening on ${await app.getUrl()} (docs at /docs)`, 'Bootstrap');
}

main().catch((error: unknown) => {
  console.error(
    `otp-auth failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
