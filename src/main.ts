// First: sizes libuv's thread pool before anything uses it (see config/thread-pool.ts).
import './config/size-thread-pool.js';
import 'reflect-metadata';
import { loadAppConfigOrExit } from './config/load-app-config.js';

async function main(): Promise<void> {
  const config = loadAppConfigOrExit();
  // Loaded once the configuration is valid: Nest, TypeORM and the app's modules take seconds to
  // load on a busy host, and a refused configuration need not wait for them.
  const { startService } = await import('./bootstrap/start-service.js');
  await startService(config);
}

main().catch((error: unknown) => {
  console.error(
    `otp-auth failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
