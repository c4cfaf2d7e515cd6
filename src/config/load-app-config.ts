import { existsSync } from 'node:fs';
import {
  loadOrCreateDevelopmentPrivateKey,
  loadOrCreateDevelopmentSecret,
} from './development-secret.js';
import {
  ConfigurationError,
  parseEnvironment,
  type AppConfig,
  type Environment,
} from './environment.js';

/** Reads `.env` into the environment, without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/**
 * The service's validated configuration; throws a `ConfigurationError` listing every problem.
 * In development, a missing `JWT_SECRET` (or `JWT_PRIVATE_KEY`) is generated once and kept in the
 * data directory.
 */
export function loadAppConfig(env: Environment): AppConfig {
  return parseEnvironment(env, {
    developmentSecret: loadOrCreateDevelopmentSecret,
    developmentPrivateKey: loadOrCreateDevelopmentPrivateKey,
  });
}

/**
 * `.env` and the environment, validated, for a process's entry point: an invalid configuration
 * prints one clear line per problem (no stack trace) and exits with code 1.
 */
export function loadAppConfigOrExit(): AppConfig {
  loadDotEnv();
  try {
    return loadAppConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    for (const problem of error.problems) console.error(`config error: ${problem}`);
    process.exit(1);
  }
}
