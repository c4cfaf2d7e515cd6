import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  MailboxlayerClient,
  MailboxlayerUnavailableError,
} from '../../../src/email-validation/mailboxlayer.client.js';
import { LoopbackServer } from '../support/loopback-server.js';
import { testOptions } from '../support/options.js';

const API_KEY = 'k3y-5ecret-0123456789';

/** A check answer for a deliverable address, as Mailboxlayer documents it. */
function check(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: 'ada@example.com',
    did_you_mean: '',
    user: 'ada',
    domain: 'example.com',
    format_valid: true,
    mx_found: true,
    smtp_check: true,
    catch_all: null,
    role: false,
    disposable: false,
    free: false,
    score: 0.96,
    ...overrides,
  };
}

function client(
  url: string,
  options: { apiKey?: string; timeoutMs?: number } = {},
): MailboxlayerClient {
  return new MailboxlayerClient(
    new HttpService(axios.create()),
    testOptions({
      emailValidation: {
        mailboxlayerApiKey: 'apiKey' in options ? options.apiKey : API_KEY,
        mailboxlayerUrl: url,
        timeoutMs: options.timeoutMs ?? 2000,
      },
    }),
  );
}

/** Asserts that the call fails with a MailboxlayerUnavailableError that does not show the key. */
async function assertUnavailable(call: Promise<boolean>, reason?: RegExp): Promise<void> {
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof MailboxlayerUnavailableError, String(error));
    assert.ok(!error.message.includes(API_KEY), error.message);
    assert.ok(!String(error.stack).includes(API_KEY));
    if (reason) assert.match(error.message, reason);
    return true;
  });
}

describe('MailboxlayerClient', () => {
  const server = new LoopbackServer();
  before(() => server.start());
  after(() => server.stop());
  beforeEach(() => {
    server.reply = { status: 200, json: check() };
    server.requests.length = 0;
  });

  it('is enabled only with an API key', () => {
    assert.equal(client(server.url).enabled, true);
    assert.equal(client(server.url, { apiKey: undefined }).enabled, false);
  });

  it('sends access_key, email, smtp=1 and format=1', async () => {
    await client(server.url).isDeliverable('ada+tag@example.com');
    assert.equal(server.requests.length, 1);
    const [request] = server.requests;
    assert.equal(request.pathname, '/api/check');
    assert.deepEqual(Object.fromEntries(request.searchParams), {
      access_key: API_KEY,
      email: 'ada+tag@example.com',
      smtp: '1',
      format: '1',
    });
  });

  it('accepts a deliverable address', async () => {
    assert.equal(await client(server.url).isDeliverable('ada@example.com'), true);
  });

  const undeliverable: [string, Record<string, unknown>][] = [
    ['format_valid is false', { format_valid: false }],
    ['mx_found is false', { mx_found: false }],
    ['smtp_check is false', { smtp_check: false }],
    ['disposable is true', { disposable: true }],
    ['mx_found is missing', { mx_found: undefined }],
    ['smtp_check is null', { smtp_check: null }],
  ];
  for (const [what, overrides] of undeliverable) {
    it(`refuses an address when ${what}`, async () => {
      server.reply = { status: 200, json: check(overrides) };
      assert.equal(await client(server.url).isDeliverable('ada@example.com'), false);
    });
  }

  it('does not take catch_all, role, free or a low score as undeliverable', async () => {
    server.reply = {
      status: 200,
      json: check({ catch_all: true, role: true, free: true, score: 0.1 }),
    };
    assert.equal(await client(server.url).isDeliverable('ada@example.com'), true);
  });

  it('treats success:false (invalid key, quota) as unavailable, not as a verdict', async () => {
    server.reply = {
      status: 200,
      json: { success: false, error: { code: 104, type: 'usage_limit_reached', info: 'quota' } },
    };
    await assertUnavailable(client(server.url).isDeliverable('ada@example.com'), /104/);
    server.reply = {
      status: 200,
      json: {
        success: false,
        error: { code: 101, type: 'invalid_access_key', info: `bad key ${API_KEY}` },
      },
    };
    await assertUnavailable(client(server.url).isDeliverable('ada@example.com'), /101/);
  });

  it('treats an answer without the check fields as unavailable', async () => {
    server.reply = { status: 200, json: { hello: 'world' } };
    await assertUnavailable(client(server.url).isDeliverable('ada@example.com'));
  });

  it('treats HTTP 500 as unavailable, naming the status but never the key', async () => {
    server.reply = { status: 500, json: { message: 'internal error' } };
    await assertUnavailable(client(server.url).isDeliverable('ada@example.com'), /500/);
  });

  it('treats a non-JSON body as unavailable', async () => {
    server.reply = { status: 200, text: '<html>maintenance</html>', contentType: 'text/html' };
    await assertUnavailable(client(server.url).isDeliverable('ada@example.com'));
  });

  it('treats a JSON body that is not an object as unavailable', async () => {
    for (const json of [null, 'deliverable', 42]) {
      server.reply = { status: 200, json };
      await assertUnavailable(client(server.url).isDeliverable('ada@example.com'));
    }
  });

  // The test's own timeout turns a client that waits forever into a failure, not a hang.
  it('gives up after the configured timeout', { timeout: 5000 }, async () => {
    server.reply = { hang: true };
    const started = Date.now();
    await assertUnavailable(
      client(server.url, { timeoutMs: 100 }).isDeliverable('ada@example.com'),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 90 && elapsed < 1500, `gave up after ${elapsed} ms`);
  });

  it('treats a refused connection as unavailable', async () => {
    const closed = await new LoopbackServer().start();
    const url = closed.url;
    await closed.stop();
    await assertUnavailable(client(url).isDeliverable('ada@example.com'));
  });
});
