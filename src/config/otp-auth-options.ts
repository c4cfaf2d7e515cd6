import type { JwtAlgorithm } from '../auth/tokens/token-keys.js';
import type { OtpAuthHooks } from '../events/otp-auth-events.js';

/** argon2id cost parameters; never below OWASP's minimum (19 MiB, 2 iterations, 1 lane). */
export interface Argon2Parameters {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

/** Token lifetimes and session rules. Durations are in seconds. */
export interface AuthOptions {
  /** HS256 secret, at least 32 bytes; it also keys the OTP hashes, whatever the algorithm. */
  jwtSecret: string;
  /**
   * What tokens are signed with: `HS256` (default, with `jwtSecret`), or `EdDSA` (Ed25519) or
   * `ES256` (EC P-256) with `jwtPrivateKey`, whose public key is then served as a JWK Set.
   */
  jwtAlgorithm?: JwtAlgorithm;
  /** PKCS#8 PEM of the signing key, for `EdDSA` and `ES256`. */
  jwtPrivateKey?: string;
  /** PKCS#8 PEM of the key that signs next: published before it signs (rotation, step 1). */
  jwtNextPrivateKey?: string;
  /** PEM public keys of retired signing keys: still accepted and published until their tokens expire. */
  jwtPreviousPublicKeys?: string[];
  issuer: string;
  audience: string;
  accessTtl: number;
  refreshTtl: number;
  resetTtl: number;
  loginMaxFailures: number;
  /** Window in which login failures are counted, in seconds. */
  loginFailureWindow: number;
  refreshReuseGrace: number;
  /** Live sessions a user may hold; a login beyond it revokes the least recently used. */
  sessionsMaxPerUser: number;
  enumerationProtection: boolean;
  exposeResetToken: boolean;
  /**
   * Mail the owner when a login comes from a client label none of their sessions (live or past)
   * has had. Default false.
   */
  newDeviceAlerts?: boolean;
}

/** Pending-registration rules. Durations are in seconds. */
export interface OtpOptions {
  ttl: number;
  length: number;
  maxAttempts: number;
  resendCooldown: number;
  /** Sends per pending registration, the one at register included. */
  maxSends: number;
  /**
   * Codes sent to one address within `addressWindow`, whatever became of their registrations
   * (confirmed, used up, expired, registered again). Default 5.
   */
  maxSendsPerAddress?: number;
  /** Wrong guesses for one address within `addressWindow`, across registrations. Default 10. */
  maxFailuresPerAddress?: number;
  /** The sliding window of the two per-address caps, in seconds. Default 3600. */
  addressWindow?: number;
}

/** The per-address caps a host gets when its {@link OtpOptions} leave them out. */
export const DEFAULT_OTP_ADDRESS_LIMITS = {
  maxSendsPerAddress: 5,
  maxFailuresPerAddress: 10,
  addressWindow: 3600,
} as const satisfies Required<
  Pick<OtpOptions, 'maxSendsPerAddress' | 'maxFailuresPerAddress' | 'addressWindow'>
>;

export interface MailOptions {
  /** `smtp://user:pass@host:port`; unset means the development outbox. */
  url?: string;
  from: string;
  /** Keep mails in memory for `GET /dev/outbox` instead of sending them. */
  outboxEnabled: boolean;
  /** SMTP connect, greeting and socket timeout in milliseconds. */
  timeoutMs: number;
}

export interface EmailValidationOptions {
  mailboxlayerApiKey?: string;
  mailboxlayerUrl: string;
  timeoutMs: number;
  failOpen: boolean;
  /** How long a Mailboxlayer verdict is reused, in seconds. */
  verdictTtl: number;
}

export interface PasswordOptions {
  minLength: number;
  argon2: Argon2Parameters;
}

/** Where the module's own database connection points (SQLite file or PostgreSQL URL). */
export type DatabaseOptions =
  { type: 'sqlite'; path: string; url: string } | { type: 'postgres'; url: string };

/** Prefix of every Redis key otp-auth writes, unless `redisKeyPrefix` says otherwise. */
export const DEFAULT_REDIS_KEY_PREFIX = 'otp-auth:';

/** Everything the otp-auth module needs, already parsed and validated. */
export interface OtpAuthOptions {
  /** `NODE_ENV=production`: strict checks, no development aids. */
  production: boolean;
  /**
   * The module's own connection; required unless the module is told to use the host's
   * (`connection: 'host'` in `forRoot`).
   */
  database?: DatabaseOptions;
  /** Base of the links put in e-mails; never taken from a request. */
  appUrl: string;
  auth: AuthOptions;
  otp: OtpOptions;
  mail: MailOptions;
  emailValidation: EmailValidationOptions;
  password: PasswordOptions;
  /** `redis://…` for shared state across instances; unset keeps it in process. */
  redisUrl?: string;
  /**
   * Prefix of every Redis key otp-auth writes (state, cache, rate limits), so that several
   * deployments or a host app can share one Redis. Default `otp-auth:`.
   */
  redisKeyPrefix?: string;
  /**
   * Keys the in-process state (used without `redisUrl`) holds at most, default 100,000. When it
   * is full, cached copies are dropped first; limit counters, cooldowns and revocation marks are
   * never dropped before they expire, and new ones are refused (503) instead.
   */
  memoryStoreMaxEntries?: number;
  /** Requests per minute per client IP on the public POST endpoints. */
  rateLimitPerIp: number;
  /** Callbacks on registration, login and password reset. */
  hooks?: OtpAuthHooks;
}
