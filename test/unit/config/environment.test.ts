import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseEnv } from 'node:util';
import {
  ConfigurationError,
  parseEnvironment,
  type AppConfig,
  type Environment,
  type ParseEnvironmentHooks,
} from '../../../src/config/environment.js';

const GENERATED_SECRET = 'generated-development-secret-0123456789abcdef';
const PRODUCTION_SECRET = 'Jq7vR2mXk9TzL4pWc8HnB3sYd6FgA1eU';
/** What production requires besides NODE_ENV (a secret, a mail server, a public address). */
const PRODUCTION: Environment = {
  NODE_ENV: 'production',
  JWT_SECRET: PRODUCTION_SECRET,
  MAIL_URL: 'smtps://u:p@mail.example.com:465',
  APP_URL: 'https://auth.example.com',
};

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
        host: '127.0.0.1',
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
          jwtAlgorithm: 'HS256',
          issuer: 'otp-auth',
          audience: 'otp-auth',
          accessTtl: 15 * 60,
          refreshTtl: 24 * 3600,
          resetTtl: 15 * 60,
          loginMaxFailures: 5,
          loginFailureWindow: 15 * 60,
          refreshReuseGrace: 0,
          sessionsMaxPerUser: 10,
          enumerationProtection: false,
          exposeResetToken: false,
          newDeviceAlerts: false,
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
          mailboxlayerUrl: 'https://apilayer.net/api/check',
          timeoutMs: 3000,
          failOpen: true,
          verdictTtl: 24 * 3600,
        },
        password: { minLength: 8, argon2: { memoryCostKiB: 19456, timeCost: 2, parallelism: 1 } },
        redisUrl: undefined,
        redisKeyPrefix: 'otp-auth:',
        memoryStoreMaxEntries: 100_000,
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
      ['SESSIONS_MAX_PER_USER', '0'],
      ['SESSIONS_MAX_PER_USER', '1001'],
      ['RATE_LIMIT_PER_IP', '0'],
      ['MEMORY_STORE_MAX_ENTRIES', '999'],
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
      assertOneProblem({ JWT_ACCESS_TTL: '2s', JWT_REFRESH_TTL: '1s' }, 'JWT_REFRESH_TTL');
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

    // SPEC 2026-12-06: any value from 1 s unless a row states a minimum.
    it('take any lifetime from 1 s (JWT_ACCESS_TTL=2s starts)', () => {
      const { otpAuth } = parse({
        JWT_ACCESS_TTL: '2s',
        JWT_REFRESH_TTL: '2s',
        RESET_TOKEN_TTL: '1',
        OTP_TTL: '1s',
      });
      assert.equal(otpAuth.auth.accessTtl, 2);
      assert.equal(otpAuth.auth.refreshTtl, 2);
      assert.equal(parse({ JWT_ACCESS_TTL: '1s' }).otpAuth.auth.accessTtl, 1);
      assert.equal(
        parse({ JWT_REFRESH_TTL: '1s', JWT_ACCESS_TTL: '1s' }).otpAuth.auth.refreshTtl,
        1,
      );
      assert.equal(otpAuth.auth.resetTtl, 1);
      assert.equal(otpAuth.otp.ttl, 1);
    });

    for (const variable of ['JWT_ACCESS_TTL', 'JWT_REFRESH_TTL', 'RESET_TOKEN_TTL', 'OTP_TTL']) {
      it(`refuse ${variable}=0`, () => assertOneProblem({ [variable]: '0s' }, variable));
    }
  });

  describe('in production', () => {
    const production = PRODUCTION;

    it('starts with a secret, a mail server and a public address, without docs or outbox, on every interface', () => {
      const hooks = recordingHooks();
      const config = parseEnvironment(production, hooks);
      assert.equal(config.otpAuth.production, true);
      assert.equal(config.otpAuth.auth.jwtSecret, PRODUCTION_SECRET);
      assert.equal(config.otpAuth.mail.url, 'smtps://u:p@mail.example.com:465');
      assert.equal(config.otpAuth.appUrl, 'https://auth.example.com');
      assert.equal(config.otpAuth.mail.outboxEnabled, false);
      assert.equal(config.http.docsEnabled, false);
      assert.equal(config.http.host, '0.0.0.0');
      assert.deepEqual(hooks.calls, []);
    });

    it('serves docs when DOCS_ENABLED says so', () => {
      assert.equal(parse({ ...production, DOCS_ENABLED: 'true' }).http.docsEnabled, true);
    });

    it('refuses a missing JWT_SECRET, a missing MAIL_URL and the default APP_URL, each on its own line', () => {
      const problems = problemsOf({ NODE_ENV: 'production' });
      assert.equal(problems.length, 3, problems.join('\n'));
      assert.ok(problems.some((line) => line.includes('JWT_SECRET')));
      assert.ok(problems.some((line) => line.includes('MAIL_URL')));
      assert.ok(problems.some((line) => line.includes('APP_URL')));
    });

    const weakSecrets: [string, string][] = [
      ['one character repeated', 'p'.repeat(32)],
      ['two characters repeated', 'ab'.repeat(24)],
      ['seven distinct characters', 'abcdefg'.repeat(6)],
      ['a placeholder', 'changeme-changeme-changeme-changeme'],
      ['a placeholder among random characters', 'your-jwt-secret-Jq7vR2mXk9TzL4pWc8Hn'],
    ];
    for (const [what, secret] of weakSecrets) {
      it(`refuses a JWT_SECRET of ${what}, in one line`, () => {
        const problems = problemsOf({ ...production, JWT_SECRET: secret });
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0], /^JWT_SECRET is too weak for production/);
      });
    }

    it('takes generated secrets, hex ones included', () => {
      for (const secret of [
        randomBytes(48).toString('base64'),
        randomBytes(32).toString('hex'),
        randomBytes(24).toString('base64url'),
      ]) {
        assert.equal(parse({ ...production, JWT_SECRET: secret }).otpAuth.auth.jwtSecret, secret);
      }
    });

    for (const appUrl of [
      'http://localhost:3000',
      'https://LOCALHOST',
      'http://app.localhost:8080',
      'http://127.0.0.1:3000',
      'http://127.1.2.3',
      'http://[::1]:3000',
      'http://0.0.0.0:3000',
    ]) {
      it(`refuses APP_URL=${appUrl}, in one line`, () =>
        assertOneProblem({ ...production, APP_URL: appUrl }, 'APP_URL'));
    }

    it('takes a public APP_URL, an address too', () => {
      for (const appUrl of ['https://127.example.com', 'http://203.0.113.7:8080']) {
        assert.equal(parse({ ...production, APP_URL: appUrl }).otpAuth.appUrl, appUrl);
      }
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

  describe('JWT_SECRET and APP_URL outside production', () => {
    it('take a repeated secret and localhost, for tests and development', () => {
      const config = parse({ JWT_SECRET: 'p'.repeat(32), APP_URL: 'http://localhost:3000' });
      assert.equal(config.otpAuth.auth.jwtSecret, 'p'.repeat(32));
      assert.equal(config.otpAuth.appUrl, 'http://localhost:3000');
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
      'AUTH_NEW_DEVICE_ALERTS',
      'DOCS_ENABLED',
    ];
    const read = (config: AppConfig): boolean[] => [
      config.otpAuth.emailValidation.failOpen,
      config.otpAuth.auth.enumerationProtection,
      config.otpAuth.auth.newDeviceAlerts ?? false,
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
        SESSIONS_MAX_PER_USER: '3',
        RATE_LIMIT_PER_IP: '20',
        MEMORY_STORE_MAX_ENTRIES: '5000',
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
      assert.equal(config.otpAuth.auth.sessionsMaxPerUser, 3);
      assert.equal(config.otpAuth.rateLimitPerIp, 20);
      assert.equal(config.otpAuth.memoryStoreMaxEntries, 5000);
      assert.equal(config.otpAuth.otp.length, 8);
      assert.equal(config.otpAuth.otp.maxAttempts, 3);
      assert.equal(config.otpAuth.otp.maxSendsPerAddress, 3);
      assert.equal(config.otpAuth.otp.maxFailuresPerAddress, 20);
      assert.equal(config.otpAuth.otp.addressWindow, 7200);
      assert.equal(config.otpAuth.mail.from, 'Auth <auth@example.com>');
    });
  });

  describe('TRUST_PROXY', () => {
    const trustProxy = (value: string | undefined) => parse({ TRUST_PROXY: value }).http.trustProxy;

    it('is off by default and for false or 0: X-Forwarded-For is ignored', () => {
      for (const value of [undefined, '', 'false', 'FALSE', '0']) {
        assert.equal(trustProxy(value), false, String(value));
      }
    });

    it('takes a hop count, the number of proxies in front', () => {
      assert.equal(trustProxy('1'), 1);
      assert.equal(trustProxy(' 2 '), 2);
    });

    it('takes a comma-separated list of proxy addresses and CIDR ranges, IPv4 and IPv6', () => {
      assert.deepEqual(trustProxy('10.0.0.0/8, 127.0.0.1'), ['10.0.0.0/8', '127.0.0.1']);
      assert.deepEqual(trustProxy('fd00::/8,::1,192.0.2.10/32'), [
        'fd00::/8',
        '::1',
        '192.0.2.10/32',
      ]);
    });

    for (const value of ['true', 'TRUE', 'yes', 'on']) {
      it(`refuses ${value} in one line that asks for a hop count or the proxies' addresses`, () => {
        const problems = problemsOf({ TRUST_PROXY: value });
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(
          problems[0],
          /^TRUST_PROXY=\S+ is refused: it trusts X-Forwarded-For entries any client writes/,
        );
        assert.match(problems[0], /TRUST_PROXY=1/);
        assert.match(problems[0], /TRUST_PROXY=10\.0\.0\.0\/8/);
      });
    }

    it('refuses a hop count above 10', () => {
      assertOneProblem({ TRUST_PROXY: '11' }, 'TRUST_PROXY');
    });

    it('refuses each bad entry of a list on a line of its own, naming it', () => {
      const problems = problemsOf({
        TRUST_PROXY: '10.0.0.0/8,10.0.0.300,fd00::/129,proxy.internal,10.0.0.0/8/8,127.0.0.1',
      });
      assert.equal(problems.length, 4, problems.join('\n'));
      for (const entry of ['10.0.0.300', 'fd00::/129', 'proxy.internal', '10.0.0.0/8/8']) {
        assert.ok(
          problems.some((line) => line.startsWith(`TRUST_PROXY entry "${entry}" `)),
          `${entry}:\n${problems.join('\n')}`,
        );
      }
    });

    for (const everything of ['0.0.0.0/0', '::/0']) {
      it(`refuses ${everything}, which trusts every address as true would`, () => {
        const problems = problemsOf({ TRUST_PROXY: `127.0.0.1,${everything}` });
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0], /trusts every address/);
      });
    }
  });

  describe('HOST', () => {
    it('is 127.0.0.1 in development and test, 0.0.0.0 in production', () => {
      assert.equal(parse({}).http.host, '127.0.0.1');
      assert.equal(parse({ NODE_ENV: 'development' }).http.host, '127.0.0.1');
      assert.equal(parse({ NODE_ENV: 'test' }).http.host, '127.0.0.1');
      assert.equal(parse(PRODUCTION).http.host, '0.0.0.0');
    });

    it('takes an address or a host name in any environment', () => {
      for (const host of ['0.0.0.0', '::', '::1', '192.0.2.2', 'otp-auth.internal']) {
        assert.equal(parse({ HOST: host }).http.host, host);
        assert.equal(parse({ ...PRODUCTION, HOST: host }).http.host, host);
      }
    });

    for (const host of ['not a host', 'http://0.0.0.0', '-bad.example']) {
      it(`refuses "${host}"`, () => assertOneProblem({ HOST: host }, 'HOST'));
    }
  });

  describe('NODE_ENV', () => {
    it('takes development, test and production (in any case)', () => {
      assert.equal(parse({ NODE_ENV: 'development' }).otpAuth.production, false);
      assert.equal(parse({ NODE_ENV: 'test' }).otpAuth.production, false);
      assert.equal(parse({ ...PRODUCTION, NODE_ENV: 'Production' }).otpAuth.production, true);
    });

    for (const value of ['prod', 'staging', 'dev']) {
      it(`refuses ${value} in one line instead of running with the development aids`, () => {
        const problems = problemsOf({ NODE_ENV: value });
        assert.deepEqual(problems, [
          `NODE_ENV must be development, production or test (got "${value}")`,
        ]);
      });
    }
  });

  describe('.env.example', () => {
    const example = parseEnv(
      readFileSync(new URL('../../../../.env.example', import.meta.url), 'utf8'),
    );

    it('copied into production with the values production requires: serves no docs', () => {
      const config = parse({
        ...example,
        NODE_ENV: 'production',
        JWT_SECRET: PRODUCTION_SECRET,
        MAIL_URL: PRODUCTION.MAIL_URL,
        APP_URL: PRODUCTION.APP_URL,
      });
      assert.equal(config.otpAuth.production, true);
      assert.equal(config.http.docsEnabled, false);
    });

    it('does not set DOCS_ENABLED, HOST or a JWT_SECRET, so that each environment takes its default', () => {
      assert.equal(example.DOCS_ENABLED, undefined);
      assert.equal(example.HOST, undefined);
      assert.equal(example.JWT_SECRET ?? '', '');
    });

    it('copied as it is into production: refused, naming what production needs', () => {
      const problems = problemsOf({ ...example, NODE_ENV: 'production' });
      for (const name of ['JWT_SECRET', 'MAIL_URL', 'APP_URL']) {
        assert.ok(
          problems.some((line) => line.startsWith(name)),
          `${name}:\n${problems.join('\n')}`,
        );
      }
    });
  });
});
