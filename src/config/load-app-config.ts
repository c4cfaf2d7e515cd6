import { existsSync } from 'node:fs';
import { loadOrCreateDevelopmentSecret } from './development-secret.js';
import { parseEnvironment, type AppConfig, type Environment } from './environment.js';

/** Reads `.env` into the environment, without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * The service's validated configuration; throws a `ConfigurationError` listing every problem.
 * In development, a missing `JWT_SECRET` is generated once and kept in the data directory.
 */
export function loadAppConfig(env: Environment): AppConfig {
  return parseEnvironment(env, { developmentSecret: loadOrCreateDevelopmentSecret });
}
