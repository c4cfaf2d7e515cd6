// First: sizes libuv's thread pool before anything uses it (see config/thread-pool.ts).
import './config/size-thread-pool.js';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap/create-app.js';
import { ConfigurationError } from './config/environment.js';
import { loadAppConfig, loadDotEnv } from './config/load-app-config.js';

async function main(): Promise<void> {
  loadDotEnv();
  let config;
  try {
    config = loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    // One clear line per problem, no stack trace.
    for (const problem of error.problems) console.error(`config error: ${problem}`);
    process.exit(1);
  }
  const app = await createApp(config);
  await app.listen({ port: config.http.port, host: '0.0.0.0' });
  Logger.log(`otp-auth listening on ${await app.getUrl()} (docs at /docs)`, 'Bootstrap');
}

main().catch((error: unknown) => {
  console.error(
    `otp-auth failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});
