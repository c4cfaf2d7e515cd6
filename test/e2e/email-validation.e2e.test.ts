import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { MailboxlayerStub, type MailboxlayerMode } from '../support/mailboxlayer-stub.js';
import { Messages, Paths, freshEmail, registrationBody } from '../support/registration.js';
import { TestApp, type TestResponse } from '../support/test-app.js';

/** Recognisable, so that a leak into a log line cannot go unnoticed. */
const API_KEY = 'mbl-test-key-5f0c2e9a7d41b6';
const TIMEOUT_MS = 300;

const UNDELIVERABLE: MailboxlayerMode[] = ['undeliverable', 'no-mx', 'bad-format', 'disposable'];
const FAILURES: MailboxlayerMode[] = [
  'timeout',
  'quota',
  'invalid-key',
  'http-500',
  'not-json',
  'redirect',
  'oversized',
];

/** An app that asks the stub, with the development outbox (no SMTP needed to accept). */
function startWithMailboxlayer(stub: MailboxlayerStub, failOpen: boolean): Promise<TestApp> {
  return TestApp.start({
    MAILBOXLAYER_API_KEY: API_KEY,
    MAILBOXLAYER_URL: stub.url,
    MAILBOXLAYER_TIMEOUT_MS: String(TIMEOUT_MS),
    EMAIL_VALIDATION_FAIL_OPEN: String(failOpen),
    OTP_RESEND_COOLDOWN: '0',
  });
}

/** Registers a fresh address for which the stub answers in `mode`. */
async function registerWhenStubSays(
  app: TestApp,
  stub: MailboxlayerStub,
  mode: MailboxlayerMode,
): Promise<{ email: string; response: TestResponse; ms: number }> {
  const email = freshEmail(mode);
  stub.modes.set(email, mode);
  const started = performance.now();
  const response = await app.post(Paths.register, registrationBody({ email }));
  return { email, response, ms: performance.now() - started };
}

// One stub for the file; each suite has its own app, alive alone, so its logs are its own.
let stub: MailboxlayerStub;
before(async () => {
  stub = await new MailboxlayerStub().start();
});
after(async () => {
  await stub.stop();
});

describe('Mailboxlayer verdicts', () => {
  let app: TestApp;

  before(async () => {
    app = await startWithMailboxlayer(stub, true);
  });
  after(async () => {
    await app.close();
  });

  it('asks with access_key, email, smtp=1 and format=1, and accepts a deliverable address', async () => {
    const { email, response } = await registerWhenStubSays(app, stub, 'deliverable');

    assert.equal(response.status, 200, response.text);
    const [query, ...more] = stub.requestsFor(email);
    assert.equal(more.length, 0);
    assert.equal(query.get('access_key'), API_KEY);
    assert.equal(query.get('email'), email);
    assert.equal(query.get('smtp'), '1');
    assert.equal(query.get('format'), '1');
  });

  it('asks about the normalised address', async () => {
    const email = freshEmail('normalised');
    stub.modes.set(email, 'deliverable');

    const response = await app.post(
      Paths.register,
      registrationBody({ email: `  ${email.toUpperCase()} ` }),
    );

    assert.equal(response.status, 200, response.text);
    assert.equal(stub.requestsFor(email).length, 1);
  });

  for (const mode of UNDELIVERABLE) {
    it(`refuses an address Mailboxlayer reports as ${mode}: 400 "Invalid email address."`, async () => {
      const { response } = await registerWhenStubSays(app, stub, mode);

      assert.deepEqual(response.body, {
        statusCode: 400,
        error: 'Bad Request',
        message: Messages.invalidEmail,
      });
    });
  }

  it('caches a deliverable verdict: registering the same address again, however spelt, asks no second time', async () => {
    const { email, response } = await registerWhenStubSays(app, stub, 'deliverable');
    assert.equal(response.status, 200);

    const again = await app.post(
      Paths.register,
      registrationBody({ email: ` ${email.toUpperCase()}` }),
    );

    assert.equal(again.status, 200, again.text);
    assert.equal(stub.requestsFor(email).length, 1);
  });

  it('caches an undeliverable verdict too', async () => {
    const { email, response } = await registerWhenStubSays(app, stub, 'undeliverable');
    assertError(response, 400, Messages.invalidEmail);

    const again = await app.post(Paths.register, registrationBody({ email }));

    assertError(again, 400, Messages.invalidEmail);
    assert.equal(stub.requestsFor(email).length, 1);
  });

  it('does not cache a failure: the next register asks again and gets the real verdict', async () => {
    const { email, response } = await registerWhenStubSays(app, stub, 'http-500');
    assert.equal(response.status, 200, 'accepted on the offline checks (fail-open)');

    stub.modes.set(email, 'undeliverable');
    const again = await app.post(Paths.register, registrationBody({ email }));

    assertError(again, 400, Messages.invalidEmail);
    assert.equal(stub.requestsFor(email).length, 2);
  });

  it('refuses a disposable domain offline, without asking Mailboxlayer', async () => {
    const email = `${freshEmail('burner').split('@')[0]}@mailinator.com`;

    const response = await app.post(Paths.register, registrationBody({ email }));

    assertError(response, 400, Messages.invalidEmail);
    assert.equal(stub.requestsFor(email).length, 0);
  });
});

describe('Mailboxlayer failures with EMAIL_VALIDATION_FAIL_OPEN=true', () => {
  let app: TestApp;

  before(async () => {
    app = await startWithMailboxlayer(stub, true);
  });
  after(async () => {
    await app.close();
  });

  for (const mode of FAILURES) {
    it(`${mode}: accepted on the offline checks (200), a warning logged, the API key in no log line`, async () => {
      const linesBefore = app.logger.lines.length;

      const { response, ms } = await registerWhenStubSays(app, stub, mode);

      assert.equal(response.status, 200, response.text);
      assert.ok(ms < TIMEOUT_MS + 2000, `answered after ${Math.round(ms)} ms`);
      const newLines = app.logger.lines.slice(linesBefore);
      assert.ok(
        newLines.some((line) => line.startsWith('warn:') && /mailboxlayer/i.test(line)),
        `no warning logged: ${newLines.join('\n')}`,
      );
      assert.ok(!app.logger.text().includes(API_KEY), 'the API key is in a log line');
    });
  }
});

describe('Mailboxlayer failures with EMAIL_VALIDATION_FAIL_OPEN=false', () => {
  let app: TestApp;

  before(async () => {
    app = await startWithMailboxlayer(stub, false);
  });
  after(async () => {
    await app.close();
  });

  for (const mode of FAILURES) {
    it(`${mode}: 503 "Email validation service unavailable. Please try again later.", the API key in no log line`, async () => {
      const linesBefore = app.logger.lines.length;

      const { response, ms } = await registerWhenStubSays(app, stub, mode);

      assertError(response, 503, Messages.validationUnavailable);
      assert.ok(ms < TIMEOUT_MS + 2000, `answered after ${Math.round(ms)} ms`);
      assert.ok(app.logger.lines.length > linesBefore, 'the failure is logged');
      assert.ok(!app.logger.text().includes(API_KEY), 'the API key is in a log line');
    });
  }

  it('a redirect is not followed: one request, and the deliverable answer behind it is never read', async () => {
    const { email, response } = await registerWhenStubSays(app, stub, 'redirect');

    assertError(response, 503, Messages.validationUnavailable);
    assert.equal(stub.requestsFor(email).length, 1, 'the redirect was followed');
  });

  it('a timeout is bounded by MAILBOXLAYER_TIMEOUT_MS', async () => {
    const { response, ms } = await registerWhenStubSays(app, stub, 'timeout');

    assertError(response, 503);
    assert.ok(ms >= TIMEOUT_MS - 50, `gave up after ${Math.round(ms)} ms, before the timeout`);
    assert.ok(ms < TIMEOUT_MS + 1000, `gave up after ${Math.round(ms)} ms`);
  });
});

describe('e-mail validation without MAILBOXLAYER_API_KEY (offline checks only)', () => {
  let app: TestApp;

  before(async () => {
    // The URL is set so that a call, which must not happen without a key, would be seen.
    app = await TestApp.start({ MAILBOXLAYER_URL: stub.url, OTP_RESEND_COOLDOWN: '0' });
  });
  after(async () => {
    await app.close();
  });

  for (const domain of ['mailinator.com', 'inbox.mailinator.com']) {
    it(`refuses a disposable domain (${domain}): 400 "Invalid email address."`, async () => {
      const email = `${freshEmail('burner').split('@')[0]}@${domain}`;

      const response = await app.post(Paths.register, registrationBody({ email }));

      assert.deepEqual(response.body, {
        statusCode: 400,
        error: 'Bad Request',
        message: Messages.invalidEmail,
      });
    });
  }

  it('accepts an ordinary address without calling Mailboxlayer', async () => {
    const email = freshEmail();
    stub.modes.set(email, 'undeliverable');

    const response = await app.post(Paths.register, registrationBody({ email }));

    assert.equal(response.status, 200, response.text);
    assert.equal(stub.requestsFor(email).length, 0);
  });
});
