import { isIP } from 'node:net';
import { isLoopbackAddress } from '../common/net/loopback-address.js';
import type { AsymmetricJwtAlgorithm } from '../auth/tokens/token-keys.js';
import { parseDurationSeconds } from './duration.js';
import { isAsymmetric, readJwtKeyOptions } from './jwt-keys.config.js';
import {
  DEFAULT_OTP_ADDRESS_LIMITS,
  DEFAULT_REDIS_KEY_PREFIX,
  type DatabaseOptions,
  type OtpAuthOptions,
} from './otp-auth-options.js';
import { weakSecretReason } from './secret-strength.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

export type { DatabaseOptions } from './otp-auth-options.js';
export type { TrustProxy } from './trust-proxy.js';

/** Settings of the standalone service that are not the module's business. */
export interface HttpOptions {
  port: number;
  /** Address to listen on: `HOST`, else 127.0.0.1 in development and 0.0.0.0 in production. */
  host: string;
  /** The proxies whose `X-Forwarded-For` entries are believed (see {@link TrustProxy}). */
  trustProxy: TrustProxy;
  corsOrigins: string[];
  docsEnabled: boolean;
}

/** The validated configuration of the standalone service, one namespace per concern. */
export interface AppConfig {
  http: HttpOptions;
  database: DatabaseOptions;
  /** Directory for the SQLite file and the generated development secret. */
  dataDir: string;
  otpAuth: OtpAuthOptions;
}

export type Environment = Record<string, string | undefined>;

/** Thrown when the environment is invalid; `problems` holds one line per problem. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

export const DEFAULT_DATABASE_URL = 'sqlite:./data/otp-auth.sqlite';
const MIN_SECRET_BYTES = 32;
/**
 * The values `NODE_ENV` may take: `test` behaves as `development`. Anything else (`prod`,
 * `staging`) is refused rather than silently run with the development aids on.
 */
const NODE_ENVIRONMENTS = ['development', 'production', 'test'];
/** A DNS name (RFC 1123 labels), for `HOST` when it is not an IP address. */
const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** Letters, digits and `:_.-`: no spaces, and no glob characters that would upset a `SCAN MATCH`. */
const REDIS_KEY_PREFIX_PATTERN = /^[A-Za-z0-9:_.-]{1,64}$/;
const OWASP_ARGON2 = { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 };

/**
 * Reads typed values from the environment and collects every problem instead of stopping at
 * the first, so that a bad deployment is fixed in one round.
 */
class EnvironmentReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^-?\d+$/.test(raw) || value < min || value > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.raw(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(raw)) return true;
    if (['false', '0', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  duration(name: string, fallback: string, minSeconds: number, maxSeconds: number): number {
    const raw = this.raw(name) ?? fallback;
    const seconds = parseDurationSeconds(raw);
    if (seconds === undefined || seconds < minSeconds || seconds > maxSeconds) {
      this.problems.push(
        `${name} must be a duration such as 90s, 15m, 1d or plain seconds, from ${minSeconds}s to ${maxSeconds}s (got "${raw}")`,
      );
      return parseDurationSeconds(fallback) ?? minSeconds;
    }
    return seconds;
  }

  matching(name: string, fallback: string, pattern: RegExp, rule: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!pattern.test(raw)) {
      this.problems.push(`${name} must be ${rule} (got "${raw}")`);
      return fallback;
    }
    return raw;
  }

  url(name: string, fallback: string | undefined, protocols: string[]): string | undefined {
    const raw = this.raw(name) ?? fallback;
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push(`${name} must be a URL starting with ${protocols.join(' or ')}//`);
      return undefined;
    }
  }
}

function parseDatabase(reader: EnvironmentReader): { database: DatabaseOptions; dataDir: string } {
  const url = reader.string('DATABASE_URL', DEFAULT_DATABASE_URL);
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path === '') reader.problems.push('DATABASE_URL sqlite: needs a file path');
    const dir = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) || '/' : '.';
    return { database: { type: 'sqlite', path, url }, dataDir: dir };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    return { database: { type: 'postgres', url }, dataDir: './data' };
  }
  reader.problems.push('DATABASE_URL must start with sqlite: or postgres://');
  return { database: { type: 'sqlite', path: './data/otp-auth.sqlite', url }, dataDir: './data' };
}

/**
 * `HOST`, else the default of the environment: development listens on loopback only, so that the
 * outbox and the docs are not served to the network; production on every interface, as a
 * container's port mapping needs.
 */
function parseHost(reader: EnvironmentReader, production: boolean): string {
  const host = reader.raw('HOST');
  if (host === undefined) return production ? '0.0.0.0' : '127.0.0.1';
  if (isIP(host) === 0 && !HOSTNAME_PATTERN.test(host)) {
    reader.problems.push(`HOST must be an IP address or a host name (got "${host}")`);
  }
  return host;
}

/** Whether `hostname` (as `URL` gives it) names this machine rather than a public address. */
function isLocalAddress(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    isLoopbackAddress(name) ||
    name === '0.0.0.0' ||
    name === '::'
  );
}

export interface ParseEnvironmentHooks {
  /** Supplies the development secret (generated once and kept in `dataDir`). */
  developmentSecret(dataDir: string): string;
  /**
   * Supplies the development signing key of an asymmetric `JWT_ALGORITHM` (a PKCS#8 PEM, generated
   * once and kept in `dataDir`). Without it, `JWT_PRIVATE_KEY` is required as in production.
   */
  developmentPrivateKey?(dataDir: string, algorithm: AsymmetricJwtAlgorithm): string;
}

/** Turns the environment into the validated configuration, or throws a `ConfigurationError`. */
export function parseEnvironment(env: Environment, hooks: ParseEnvironmentHooks): AppConfig {
  const reader = new EnvironmentReader(env);
  const nodeEnv = reader.string('NODE_ENV', 'development').toLowerCase();
  if (!NODE_ENVIRONMENTS.includes(nodeEnv)) {
    reader.problems.push(
      `NODE_ENV must be development, production or test (got "${reader.raw('NODE_ENV')}")`,
    );
  }
  const production = nodeEnv === 'production';
  const { database, dataDir } = parseDatabase(reader);

  const secretFromEnv = reader.raw('JWT_SECRET');
  if (secretFromEnv !== undefined && Buffer.byteLength(secretFromEnv) < MIN_SECRET_BYTES) {
    reader.problems.push(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes long`);
  }
  if (production && secretFromEnv === undefined) {
    reader.problems.push('JWT_SECRET is required when NODE_ENV=production');
  }
  const weakSecret =
    production &&
    secretFromEnv !== undefined &&
    Buffer.byteLength(secretFromEnv) >= MIN_SECRET_BYTES
      ? weakSecretReason(secretFromEnv)
      : undefined;
  if (weakSecret !== undefined) {
    reader.problems.push(
      `JWT_SECRET is too weak for production (${weakSecret}): generate one with \`openssl rand -base64 48\``,
    );
  }
  const mailUrl = reader.url('MAIL_URL', undefined, ['smtp:', 'smtps:']);
  if (production && reader.raw('MAIL_URL') === undefined) {
    reader.problems.push('MAIL_URL is required when NODE_ENV=production');
  }
  const exposeResetToken = reader.boolean('AUTH_EXPOSE_RESET_TOKEN', false);
  if (production && exposeResetToken) {
    reader.problems.push('AUTH_EXPOSE_RESET_TOKEN=true is refused when NODE_ENV=production');
  }
  const jwtKeys = readJwtKeyOptions(reader, production, hooks.developmentPrivateKey !== undefined);
  const { jwtAlgorithm } = jwtKeys;
  // Durations take any value from 1 s unless the SPEC states a minimum (SPEC, 2026-12-06).
  const accessTtl = reader.duration('JWT_ACCESS_TTL', '15m', 1, 86400);
  const refreshTtl = reader.duration('JWT_REFRESH_TTL', '1d', 1, 90 * 86400);
  if (refreshTtl < accessTtl) {
    reader.problems.push('JWT_REFRESH_TTL must not be shorter than JWT_ACCESS_TTL');
  }

  const argon2 = {
    memoryCostKiB: reader.integer(
      'ARGON2_MEMORY_KIB',
      OWASP_ARGON2.memoryCostKiB,
      OWASP_ARGON2.memoryCostKiB,
      4194304,
    ),
    timeCost: reader.integer('ARGON2_TIME_COST', OWASP_ARGON2.timeCost, OWASP_ARGON2.timeCost, 100),
    parallelism: reader.integer('ARGON2_PARALLELISM', OWASP_ARGON2.parallelism, 1, 64),
  };
  const port = reader.integer('PORT', 3000, 0, 65535);
  const appUrl = (
    reader.url('APP_URL', 'http://localhost:3000', ['http:', 'https:']) ?? ''
  ).replace(/\/+$/, '');
  if (production && appUrl !== '' && isLocalAddress(new URL(appUrl).hostname)) {
    reader.problems.push(
      `APP_URL must be the service's public address when NODE_ENV=production (got "${appUrl}"): links in e-mails to localhost lead nowhere`,
    );
  }

  const otpAuth: OtpAuthOptions = {
    production,
    database,
    appUrl,
    auth: {
      // Filled in below once the other problems are known, so that a bad deployment does not
      // leave a generated secret behind.
      jwtSecret: secretFromEnv ?? '',
      ...jwtKeys,
      issuer: 'otp-auth',
      audience: 'otp-auth',
      accessTtl,
      refreshTtl,
      resetTtl: reader.duration('RESET_TOKEN_TTL', '15m', 1, 86400),
      loginMaxFailures: reader.integer('LOGIN_MAX_FAILURES', 5, 1, 1000),
      loginFailureWindow: 15 * 60,
      refreshReuseGrace: reader.integer('REFRESH_REUSE_GRACE', 0, 0, 300),
      sessionsMaxPerUser: reader.integer('SESSIONS_MAX_PER_USER', 10, 1, 1000),
      enumerationProtection: reader.boolean('AUTH_ENUMERATION_PROTECTION', false),
      exposeResetToken,
      newDeviceAlerts: reader.boolean('AUTH_NEW_DEVICE_ALERTS', false),
    },
    otp: {
      ttl: reader.duration('OTP_TTL', '10m', 1, 86400),
      length: reader.integer('OTP_LENGTH', 6, 4, 10),
      maxAttempts: reader.integer('OTP_MAX_ATTEMPTS', 5, 1, 100),
      resendCooldown: reader.duration('OTP_RESEND_COOLDOWN', '60s', 0, 3600),
      maxSends: 5,
      maxSendsPerAddress: reader.integer(
        'OTP_MAX_SENDS_PER_ADDRESS',
        DEFAULT_OTP_ADDRESS_LIMITS.maxSendsPerAddress,
        1,
        1000,
      ),
      maxFailuresPerAddress: reader.integer(
        'OTP_MAX_FAILURES_PER_ADDRESS',
        DEFAULT_OTP_ADDRESS_LIMITS.maxFailuresPerAddress,
        1,
        10_000,
      ),
      addressWindow: reader.duration(
        'OTP_ADDRESS_WINDOW',
        String(DEFAULT_OTP_ADDRESS_LIMITS.addressWindow),
        1,
        7 * 86400,
      ),
    },
    mail: {
      url: mailUrl,
      from: reader.string('MAIL_FROM', 'otp-auth <no-reply@localhost>'),
      outboxEnabled: !production && reader.raw('MAIL_URL') === undefined,
      timeoutMs: 10_000,
    },
    emailValidation: {
      mailboxlayerApiKey: reader.raw('MAILBOXLAYER_API_KEY'),
      mailboxlayerUrl:
        reader.url('MAILBOXLAYER_URL', 'https://apilayer.net/api/check', ['http:', 'https:']) ?? '',
      timeoutMs: reader.integer('MAILBOXLAYER_TIMEOUT_MS', 3000, 100, 60000),
      failOpen: reader.boolean('EMAIL_VALIDATION_FAIL_OPEN', true),
      verdictTtl: 24 * 3600,
    },
    password: {
      minLength: reader.integer('PASSWORD_MIN_LENGTH', 8, 8, 128),
      argon2,
    },
    redisUrl: reader.url('REDIS_URL', undefined, ['redis:', 'rediss:']),
    redisKeyPrefix: reader.matching(
      'REDIS_KEY_PREFIX',
      DEFAULT_REDIS_KEY_PREFIX,
      REDIS_KEY_PREFIX_PATTERN,
      'at most 64 letters, digits and the characters : _ . -',
    ),
    memoryStoreMaxEntries: reader.integer('MEMORY_STORE_MAX_ENTRIES', 100_000, 1_000, 100_000_000),
    rateLimitPerIp: reader.integer('RATE_LIMIT_PER_IP', 100, 1, 1_000_000),
  };

  const { trustProxy, problems: trustProxyProblems } = parseTrustProxy(reader.raw('TRUST_PROXY'));
  reader.problems.push(...trustProxyProblems);
  const http: HttpOptions = {
    port,
    host: parseHost(reader, production),
    trustProxy,
    corsOrigins: (reader.raw('CORS_ORIGINS') ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    docsEnabled: reader.boolean('DOCS_ENABLED', !production),
  };

  if (reader.problems.length > 0) throw new ConfigurationError(reader.problems);
  if (otpAuth.auth.jwtSecret === '') otpAuth.auth.jwtSecret = hooks.developmentSecret(dataDir);
  if (isAsymmetric(jwtAlgorithm) && !otpAuth.auth.jwtPrivateKey && hooks.developmentPrivateKey) {
    otpAuth.auth.jwtPrivateKey = hooks.developmentPrivateKey(dataDir, jwtAlgorithm);
  }
  return { http, database, dataDir, otpAuth };
}
