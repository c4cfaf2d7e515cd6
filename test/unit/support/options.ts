import type {
  AuthOptions,
  EmailValidationOptions,
  OtpAuthOptions,
  OtpOptions,
  PasswordOptions,
} from '../../../src/config/otp-auth-options.js';

/** Overrides for the parts of {@link OtpAuthOptions} a unit test cares about. */
export interface OptionsPatch {
  auth?: Partial<AuthOptions>;
  otp?: Partial<OtpOptions>;
  password?: Partial<PasswordOptions>;
  emailValidation?: Partial<EmailValidationOptions>;
}

/**
 * Module options as `parseEnvironment` gives them with an empty environment (the SPEC's
 * defaults), with a fixed test secret, so that a test states only what it changes.
 */
export function testOptions(patch: OptionsPatch = {}): OtpAuthOptions {
  return {
    production: false,
    appUrl: 'http://localhost:3000',
    auth: {
      jwtSecret: 'unit-test-secret-0123456789abcdefghijklmnop',
      issuer: 'otp-auth',
      audience: 'otp-auth',
      accessTtl: 900,
      refreshTtl: 86400,
      resetTtl: 900,
      loginMaxFailures: 5,
      loginFailureWindow: 900,
      refreshReuseGrace: 0,
      sessionsMaxPerUser: 10,
      enumerationProtection: false,
      exposeResetToken: false,
      ...patch.auth,
    },
    otp: { ttl: 600, length: 6, maxAttempts: 5, resendCooldown: 60, maxSends: 5, ...patch.otp },
    mail: { from: 'otp-auth <no-reply@localhost>', outboxEnabled: true, timeoutMs: 10_000 },
    emailValidation: {
      mailboxlayerUrl: 'https://apilayer.net/api/check',
      timeoutMs: 3000,
      failOpen: true,
      verdictTtl: 86400,
      ...patch.emailValidation,
    },
    password: {
      minLength: 8,
      argon2: { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 },
      ...patch.password,
    },
    rateLimitPerIp: 100,
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
