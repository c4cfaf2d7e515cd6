import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outboxLocation, startupWarnings } from '../../../src/bootstrap/startup-report.js';
import { parseEnvironment, type Environment } from '../../../src/config/environment.js';

const PRODUCTION: Environment = {
  NODE_ENV: 'production',
  JWT_SECRET: 'Jq7vR2mXk9TzL4pWc8HnB3sYd6FgA1eU',
  APP_URL: 'https://auth.example.com',
};

function warningsFor(env: Environment): string[] {
  return startupWarnings(parseEnvironment(env, { developmentSecret: () => 'd'.repeat(40) }));
}

describe('startupWarnings', () => {
  it('none for the embedded default', () => {
    assert.deepEqual(warningsFor({}), []);
  });

  it('PostgreSQL without REDIS_URL: one line saying what several instances would not share', () => {
    const warnings = warningsFor({ DATABASE_URL: 'postgres://u:p@db/otp' });
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0],
      /^PostgreSQL without REDIS_URL: rate limits, pending registrations and the revocation cache stay in this process/,
    );
  });

  it('PostgreSQL with REDIS_URL: none', () => {
    assert.deepEqual(
      warningsFor({ DATABASE_URL: 'postgres://u:p@db/otp', REDIS_URL: 'redis://cache:6379' }),
      [],
    );
  });

  for (const mailUrl of [
    'smtp://u:p@mail.example.com:587',
    'smtp://mail.example.com?requireTLS=false',
  ]) {
    it(`production with MAIL_URL=${mailUrl}: one line, TLS is not required`, () => {
      const warnings = warningsFor({ ...PRODUCTION, MAIL_URL: mailUrl });
      assert.deepEqual(warnings.length, 1);
      assert.match(warnings[0], /^MAIL_URL does not require TLS/);
    });
  }

  for (const mailUrl of [
    'smtps://mail.example.com',
    'smtp://mail.example.com:587?requireTLS=true',
  ]) {
    it(`production with MAIL_URL=${mailUrl}: none`, () => {
      assert.deepEqual(warningsFor({ ...PRODUCTION, MAIL_URL: mailUrl }), []);
    });
  }

  it('development with a plain SMTP sink: none (a local catcher is the usual case)', () => {
    assert.deepEqual(warningsFor({ MAIL_URL: 'smtp://127.0.0.1:1025' }), []);
  });
});

describe('outboxLocation', () => {
  it('names 127.0.0.1 when listening on every interface or on it', () => {
    for (const host of ['0.0.0.0', '::', '127.0.0.1']) {
      assert.equal(
        outboxLocation(host, 3000),
        'Development outbox: http://127.0.0.1:3000/dev/outbox',
      );
    }
  });

  it('names the loopback address or name it listens on', () => {
    assert.equal(outboxLocation('::1', 3000), 'Development outbox: http://[::1]:3000/dev/outbox');
    assert.equal(
      outboxLocation('localhost', 8080),
      'Development outbox: http://localhost:8080/dev/outbox',
    );
  });

  it('says so when no loopback client can reach it', () => {
    assert.match(
      outboxLocation('192.0.2.2', 3000),
      /^Development outbox: answers loopback clients only, and HOST=192\.0\.2\.2 is not loopback/,
    );
  });
});
