import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ConfigurationError,
  parseEnvironment,
  type AppConfig,
  type Environment,
  type ParseEnvironmentHooks,
} from '../../../src/config/environment.js';

const GENERATED_SECRET = 'generated-development-secret-0123456789abcdef';
const PRODUCTION_SECRET = 'p'.repeat(32);

/** A development-secret hook that records the data directories it was asked for. */
function recordingHooks(): ParseEnvironmentHooks & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    developmentSecret(dataDir: string): string {
      calls.push(dataDir);
      return GENERATED_SECRET;
    },
  };
}

function parse(env: Environment): AppConfig {
  return parseEnvironment(env, recordingHooks());
}

/** The problem lines of the ConfigurationError that `env` must cause. */
function problemsOf(env: Environment, hooks: ParseEnvironmentHooks = recordingHooks()): string[] {
  let thrown: unknown;
  try {
    parseEnvironment(env, hooks);
  } catch (error) {
    thrown = error;
  }
  assert.ok(
    thrown instanceof ConfigurationError,
    `expected a ConfigurationError for ${JSON.stringify(env)}`,
  );
  return thrown.problems;
}

/** Asserts that `env` is refused with exactly one problem, naming `variable`. */
function assertOneProblem(env: Environment, variable: string): void {
  const problems = problemsOf(env);
  assert.equal(problems.length, 1, problems.join('\n'));
  assert.match(problems[0], new RegExp(`\\b${variable}\\b`));
}

describe('parseEnvironment', () => {
  describe('with an empty environment', () => {
    it('gives every default of the SPEC', () => {
      const config = parse({});
      assert.deepEqual(config.http, {
        port: 3000,
        trustProxy: false,
        corsOrigins: [],
        docsEnabled: true,
      });
      assert.deepEqual(config.database, {
        type: 'sqlite',
        path: './data/otp-auth.sqlite',
        url: 'sqlite:./data/otp-auth.sqlite',
      });
      assert.equal(config.dataDir, './data');
      assert.deepEqual(config.otpAuth, {
        production: false,
        database: config.database,
        appUrl: 'http://localhost:3000',
        auth: {
          jwtSecret: GENERATED_SECRET,
          issuer: 'otp-auth',
          audience: 'otp-auth',
          accessTtl: 15 * 60,
          refreshTtl: 24 * 3600,
          resetTtl: 15 * 60,
          loginMaxFailures: 5,
          loginFailureWindow: 15 * 60,
          refreshReuseGrace: 0,
          enumerationProtection: false,
          exposeResetToken: false,
        },
        otp: {
          ttl: 10 * 60,
          length: 6,
          maxAttempts: 5,
          resendCooldown: 60,
          maxSends: 5,
          maxSendsPerAddress: 5,
          maxFailuresPerAddress: 10,
          addressWindow: 3600,
        },
        mail: {
          url: undefined,
          from: 'otp-auth <no-reply@localhost>',
          outboxEnabled: true,
          timeoutMs: 10_000,
        },
        emailValidation: {
          mailboxlayerApiKey: undefined,
          mailboxlayerUrl: 'http://apilayer.net/api/check',
          timeoutMs: 3000,
          failOpen: true,
          verdictTtl: 24 * 3600,
        },
        password: { minLength: 8, argon2: { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 } },
        redisUrl: undefined,
        redisKeyPrefix: 'otp-auth:',
        rateLimitPerIp: 100,
      });
    });

    it('treats blank values as unset', () => {
      const config = parse({ PORT: '  ', OTP_TTL: '', MAIL_URL: ' ', JWT_SECRET: '   ' });
      assert.equal(config.http.port, 3000);
      assert.equal(config.otpAuth.otp.ttl, 600);
      assert.equal(config.otpAuth.mail.outboxEnabled, true);
      assert.equal(config.otpAuth.auth.jwtSecret, GENERATED_SECRET);
    });
  });

  describe('the development secret', () => {
    it('is asked for once, in the data directory, when JWT_SECRET is unset', () => {
      const hooks = recordingHooks();
      const config = parseEnvironment(
        { DATABASE_URL: 'sqlite:/var/lib/otp-auth/db.sqlite' },
        hooks,
      );
      assert.deepEqual(hooks.calls, ['/var/lib/otp-auth']);
      assert.equal(config.otpAuth.auth.jwtSecret, GENERATED_SECRET);
    });

    it('is not asked for when JWT_SECRET is set', () => {
      const hooks = recordingHooks();
      const secret = 's'.repeat(40);
      const config = parseEnvironment({ JWT_SECRET: secret }, hooks);
      assert.deepEqual(hooks.calls, []);
      assert.equal(config.otpAuth.auth.jwtSecret, secret);
    });

    it('is not asked for when anything else is wrong, so no file is left behind', () => {
      const hooks = recordingHooks();
      problemsOf({ PORT: 'eighty' }, hooks);
      assert.deepEqual(hooks.calls, []);
    });
  });

  describe('problems', () => {
    it('are all collected at once, one line per bad variable, each naming it', () => {
      const problems = problemsOf({
        PORT: 'eighty',
        OTP_TTL: '5x',
        EMAIL_VALIDATION_FAIL_OPEN: 'maybe',
      });
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.ok(problems.some((line) => line.includes('PORT')));
      assert.ok(problems.some((line) => line.includes('OTP_TTL')));
      assert.ok(problems.some((line) => line.includes('EMAIL_VALIDATION_FAIL_OPEN')));
      for (const line of problems) assert.doesNotMatch(line, /\n/);
    });

    it('are each a line of the error message, which is not a stack trace', () => {
      let thrown: unknown;
      try {
        parse({ PORT: '-5', OTP_LENGTH: '3' });
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof ConfigurationError);
      assert.equal(thrown.problems.length, 2);
      for (const line of thrown.problems) assert.ok(thrown.message.includes(line));
    });

    const badValues: [string, string][] = [
      ['PORT', '70000'],
      ['PORT', '3000.5'],
      ['OTP_LENGTH', '3'],
      ['OTP_LENGTH', '11'],
      ['OTP_MAX_ATTEMPTS', '0'],
      ['OTP_RESEND_COOLDOWN', '-1'],
      ['OTP_TTL', '1.5m'],
      ['OTP_MAX_SENDS_PER_ADDRESS', '0'],
      ['OTP_MAX_FAILURES_PER_ADDRESS', 'ten'],
      ['OTP_ADDRESS_WINDOW', '0'],
      ['OTP_ADDRESS_WINDOW', '8d'],
      ['JWT_ACCESS_TTL', 'soon'],
      ['RESET_TOKEN_TTL', '2d'],
      ['LOGIN_MAX_FAILURES', 'five'],
      ['REFRESH_REUSE_GRACE', '-1'],
      ['RATE_LIMIT_PER_IP', '0'],
      ['MAILBOXLAYER_TIMEOUT_MS', '50'],
      ['MAILBOXLAYER_URL', 'ftp://apilayer.net/api/check'],
      ['APP_URL', 'localhost:3000'],
      ['MAIL_URL', 'http://mail.example.com'],
      ['TRUST_PROXY', 'sometimes'],
    ];
    for (const [variable, value] of badValues) {
      it(`refuses ${variable}=${value}`, () => assertOneProblem({ [variable]: value }, variable));
    }

    it('refuses a refresh lifetime shorter than the access lifetime', () => {
      assertOneProblem({ JWT_ACCESS_TTL: '1d', JWT_REFRESH_TTL: '12h' }, 'JWT_REFRESH_TTL');
    });
  });

  describe('durations', () => {
    it('are read in seconds from every accepted form', () => {
      const { otpAuth } = parse({
        JWT_ACCESS_TTL: '5m',
        JWT_REFRESH_TTL: '7d',
        RESET_TOKEN_TTL: '1800',
        OTP_TTL: '90s',
        OTP_RESEND_COOLDOWN: '0',
      });
      assert.equal(otpAuth.auth.accessTtl, 300);
      assert.equal(otpAuth.auth.refreshTtl, 7 * 86400);
      assert.equal(otpAuth.auth.resetTtl, 1800);
      assert.equal(otpAuth.otp.ttl, 90);
      assert.equal(otpAuth.otp.resendCooldown, 0);
    });
  });

  describe('in production', () => {
    const production = {
      NODE_ENV: 'production',
      JWT_SECRET: PRODUCTION_SECRET,
      MAIL_URL: 'smtp://u:p@mail:587',
    };

    it('starts with a secret and a mail server, without docs or outbox', () => {
      const hooks = recordingHooks();
      const config = parseEnvironment(production, hooks);
      assert.equal(config.otpAuth.production, true);
      assert.equal(config.otpAuth.auth.jwtSecret, PRODUCTION_SECRET);
      assert.equal(config.otpAuth.mail.url, 'smtp://u:p@mail:587');
      assert.equal(config.otpAuth.mail.outboxEnabled, false);
      assert.equal(config.http.docsEnabled, false);
      assert.deepEqual(hooks.calls, []);
    });

    it('serves docs when DOCS_ENABLED says so', () => {
      assert.equal(parse({ ...production, DOCS_ENABLED: 'true' }).http.docsEnabled, true);
    });

    it('refuses a missing JWT_SECRET and a missing MAIL_URL, each on its own line', () => {
      const problems = problemsOf({ NODE_ENV: 'production' });
      assert.equal(problems.length, 2, problems.join('\n'));
      assert.ok(problems.some((line) => line.includes('JWT_SECRET')));
      assert.ok(problems.some((line) => line.includes('MAIL_URL')));
    });

    it('refuses a JWT_SECRET shorter than 32 bytes', () => {
      assertOneProblem({ ...production, JWT_SECRET: 'p'.repeat(31) }, 'JWT_SECRET');
    });

    it('refuses AUTH_EXPOSE_RESET_TOKEN=true', () => {
      assertOneProblem(
        { ...production, AUTH_EXPOSE_RESET_TOKEN: 'true' },
        'AUTH_EXPOSE_RESET_TOKEN',
      );
    });
  });

  describe('JWT_SECRET outside production', () => {
    it('is refused when shorter than 32 bytes', () => {
      assertOneProblem({ JWT_SECRET: 'x'.repeat(31) }, 'JWT_SECRET');
    });

    it('is measured in bytes, not characters', () => {
      // 16 characters of two bytes each: 32 bytes.
      assert.equal(parse({ JWT_SECRET: 'é'.repeat(16) }).otpAuth.auth.jwtSecret, 'é'.repeat(16));
      assertOneProblem({ JWT_SECRET: 'é'.repeat(15) + 'x' }, 'JWT_SECRET');
    });
  });

  it('lets AUTH_EXPOSE_RESET_TOKEN=true through outside production', () => {
    assert.equal(parse({ AUTH_EXPOSE_RESET_TOKEN: 'true' }).otpAuth.auth.exposeResetToken, true);
  });

  describe('passwords', () => {
    it('accept a stricter minimum length', () => {
      assert.equal(parse({ PASSWORD_MIN_LENGTH: '15' }).otpAuth.password.minLength, 15);
    });

    it('refuse a minimum length below 8', () => {
      assertOneProblem({ PASSWORD_MIN_LENGTH: '7' }, 'PASSWORD_MIN_LENGTH');
    });

    it('accept argon2 costs above the OWASP minimum', () => {
      const { argon2 } = parse({
        ARGON2_MEMORY_KIB: '65536',
        ARGON2_TIME_COST: '3',
        ARGON2_PARALLELISM: '4',
      }).otpAuth.password;
      assert.deepEqual(argon2, { memoryCostKiB: 65536, timeCost: 3, parallelism: 4 });
    });

    for (const [variable, value] of [
      ['ARGON2_MEMORY_KIB', '19455'],
      ['ARGON2_TIME_COST', '1'],
      ['ARGON2_PARALLELISM', '0'],
    ]) {
      it(`refuse ${variable}=${value}, below the OWASP minimum`, () =>
        assertOneProblem({ [variable]: value }, variable));
    }
  });

  describe('the development outbox', () => {
    it('is on without MAIL_URL outside production', () => {
      assert.equal(parse({ NODE_ENV: 'test' }).otpAuth.mail.outboxEnabled, true);
    });

    it('is off when MAIL_URL is set', () => {
      const { mail } = parse({ MAIL_URL: 'smtps://mail.example.com:465' }).otpAuth;
      assert.equal(mail.outboxEnabled, false);
      assert.equal(mail.url, 'smtps://mail.example.com:465');
    });
  });

  describe('DATABASE_URL', () => {
    it('takes a relative sqlite path, its directory holding the data', () => {
      const config = parse({ DATABASE_URL: 'sqlite:./data/x.sqlite' });
      assert.deepEqual(config.database, {
        type: 'sqlite',
        path: './data/x.sqlite',
        url: 'sqlite:./data/x.sqlite',
      });
      assert.equal(config.dataDir, './data');
    });

    it('takes an absolute sqlite path written as sqlite:///', () => {
      const config = parse({ DATABASE_URL: 'sqlite:///abs/x.sqlite' });
      assert.deepEqual(config.database, {
        type: 'sqlite',
        path: '/abs/x.sqlite',
        url: 'sqlite:///abs/x.sqlite',
      });
      assert.equal(config.dataDir, '/abs');
    });

    it('takes a bare sqlite file name in the current directory', () => {
      const config = parse({ DATABASE_URL: 'sqlite:x.sqlite' });
      assert.equal(config.database.type === 'sqlite' && config.database.path, 'x.sqlite');
      assert.equal(config.dataDir, '.');
    });

    it('refuses sqlite: without a path', () => {
      assertOneProblem({ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL');
    });

    it('takes a postgres URL', () => {
      for (const url of ['postgres://user:pass@db:5432/otp', 'postgresql://user:pass@db/otp']) {
        assert.deepEqual(parse({ DATABASE_URL: url }).database, { type: 'postgres', url });
      }
    });

    for (const url of ['mysql://user:pass@db/otp', 'otp.sqlite', 'file:./x.sqlite']) {
      it(`refuses ${url}`, () => assertOneProblem({ DATABASE_URL: url }, 'DATABASE_URL'));
    }
  });

  describe('REDIS_URL', () => {
    it('takes a redis:// URL', () => {
      assert.equal(
        parse({ REDIS_URL: 'redis://cache:6379/0' }).otpAuth.redisUrl,
        'redis://cache:6379/0',
      );
    });

    for (const url of ['http://cache:6379', 'cache:6379', 'not a url']) {
      it(`refuses ${url}`, () => assertOneProblem({ REDIS_URL: url }, 'REDIS_URL'));
    }
  });

  describe('REDIS_KEY_PREFIX', () => {
    it('takes a prefix of letters, digits and : _ . -', () => {
      assert.equal(
        parse({ REDIS_KEY_PREFIX: 'tenant-a.otp_auth:' }).otpAuth.redisKeyPrefix,
        'tenant-a.otp_auth:',
      );
    });

    for (const prefix of ['otp auth:', 'otp-auth:*', 'a[b]:', 'x'.repeat(65)]) {
      it(`refuses "${prefix.slice(0, 20)}"`, () =>
        assertOneProblem({ REDIS_KEY_PREFIX: prefix }, 'REDIS_KEY_PREFIX'));
    }
  });

  describe('booleans', () => {
    const variables = [
      'EMAIL_VALIDATION_FAIL_OPEN',
      'AUTH_ENUMERATION_PROTECTION',
      'TRUST_PROXY',
      'DOCS_ENABLED',
    ];
    const read = (config: AppConfig): boolean[] => [
      config.otpAuth.emailValidation.failOpen,
      config.otpAuth.auth.enumerationProtection,
      config.http.trustProxy,
      config.http.docsEnabled,
    ];
    const all = (value: string): Environment =>
      Object.fromEntries(variables.map((name) => [name, value]));

    for (const value of ['true', '1', 'TRUE']) {
      it(`read "${value}" as true`, () =>
        assert.deepEqual(read(parse(all(value))), [true, true, true, true]));
    }
    for (const value of ['false', '0', 'False']) {
      it(`read "${value}" as false`, () =>
        assert.deepEqual(read(parse(all(value))), [false, false, false, false]));
    }

    it('refuse anything else, naming each variable', () => {
      const problems = problemsOf(all('maybe'));
      assert.equal(problems.length, variables.length, problems.join('\n'));
      for (const name of variables)
        assert.ok(
          problems.some((line) => line.includes(name)),
          name,
        );
    });
  });

  describe('other values', () => {
    it('drop trailing slashes from APP_URL', () => {
      assert.equal(
        parse({ APP_URL: 'https://auth.example.com/' }).otpAuth.appUrl,
        'https://auth.example.com',
      );
    });

    it('split CORS_ORIGINS on commas', () => {
      assert.deepEqual(
        parse({ CORS_ORIGINS: 'https://a.example, https://b.example,,' }).http.corsOrigins,
        ['https://a.example', 'https://b.example'],
      );
    });

    it('take the Mailboxlayer key, URL and timeout', () => {
      const { emailValidation } = parse({
        MAILBOXLAYER_API_KEY: 'key-123',
        MAILBOXLAYER_URL: 'https://apilayer.net/api/check',
        MAILBOXLAYER_TIMEOUT_MS: '1500',
      }).otpAuth;
      assert.equal(emailValidation.mailboxlayerApiKey, 'key-123');
      assert.equal(emailValidation.mailboxlayerUrl, 'https://apilayer.net/api/check');
      assert.equal(emailValidation.timeoutMs, 1500);
    });

    it('take the numeric limits', () => {
      const config = parse({
        PORT: '8080',
        LOGIN_MAX_FAILURES: '10',
        REFRESH_REUSE_GRACE: '30',
        RATE_LIMIT_PER_IP: '20',
        OTP_LENGTH: '8',
        OTP_MAX_ATTEMPTS: '3',
        OTP_MAX_SENDS_PER_ADDRESS: '3',
        OTP_MAX_FAILURES_PER_ADDRESS: '20',
        OTP_ADDRESS_WINDOW: '2h',
        MAIL_FROM: 'Auth <auth@example.com>',
      });
      assert.equal(config.http.port, 8080);
      assert.equal(config.otpAuth.auth.loginMaxFailures, 10);
      assert.equal(config.otpAuth.auth.refreshReuseGrace, 30);
      assert.equal(config.otpAuth.rateLimitPerIp, 20);
      assert.equal(config.otpAuth.otp.length, 8);
      assert.equal(config.otpAuth.otp.maxAttempts, 3);
      assert.equal(config.otpAuth.otp.maxSendsPerAddress, 3);
      assert.equal(config.otpAuth.otp.maxFailuresPerAddress, 20);
      assert.equal(config.otpAuth.otp.addressWindow, 7200);
      assert.equal(config.otpAuth.mail.from, 'Auth <auth@example.com>');
    });
  });
});
