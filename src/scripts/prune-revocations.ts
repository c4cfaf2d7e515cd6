import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { RevocationPruner } from '../auth/revocation/revocation-pruner.service.js';
import { loadAppConfigOrExit } from '../config/load-app-config.js';

/**
 * `npm run prune`: deletes blacklist rows and revoked families whose tokens have expired, for
 * operators who prefer a cron job to the service's own hourly schedule.
 */
async function main(): Promise<void> {
  const config = loadAppConfigOrExit();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  const { tokens, families } = await app.get(RevocationPruner).prune();
  console.log(`pruned ${tokens} expired blacklist rows and ${families} expired token families`);
  await app.close();
}

main().catch((error: unknown) => {
  console.error(`prune failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
