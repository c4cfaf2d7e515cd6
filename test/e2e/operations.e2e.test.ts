import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

interface OpenApiOperation {
  deprecated?: boolean;
  requestBody?: { content: Record<string, { schema?: unknown }> };
  responses: Record<
    string,
    { content?: Record<string, { example?: unknown; examples?: unknown }> }
  >;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, { post?: OpenApiOperation }>;
}

/** The response codes the SPEC gives each registration endpoint. */
const DOCUMENTED_CODES: Record<string, string[]> = {
  '/api/users/register': ['200', '400', '409', '429', '503'],
  '/api/users/confirm-otp': ['201', '400', '409', '429'],
  '/api/users/verify-otp': ['201', '400', '409', '429'],
  '/api/users/resend-otp': ['200', '400', '429', '503'],
};

describe('operations: health and API docs', () => {
  let app: TestApp;

  before(async () => {
    app = await TestApp.start();
  });
  after(async () => {
    await app.close();
  });

  it('GET /health answers 200 {status: "ok"} with the database and the cache up', async () => {
    const response = await app.get<{ status: string; info: Record<string, { status: string }> }>(
      '/health',
    );

    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.status, 'ok');
    assert.equal(response.body.info.database?.status, 'up');
    assert.equal(response.body.info.cache?.status, 'up');
  });

  it('GET /docs serves Swagger UI as HTML', async () => {
    const response = await app.get('/docs');

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(response.text, /swagger/i);
  });

  it('GET /docs-json is an OpenAPI 3 document with the four registration paths, verify-otp deprecated', async () => {
    const response = await app.get<OpenApiDocument>('/docs-json');

    assert.equal(response.status, 200);
    assert.match(response.body.openapi, /^3\./);
    for (const path of Object.keys(DOCUMENTED_CODES)) {
      assert.ok(response.body.paths[path]?.post, `${path} is not documented`);
    }
    assert.equal(response.body.paths['/api/users/verify-otp'].post!.deprecated, true);
    assert.notEqual(response.body.paths['/api/users/confirm-otp'].post!.deprecated, true);
  });

  for (const [path, codes] of Object.entries(DOCUMENTED_CODES)) {
    it(`documents POST ${path} with its request schema and every response code with an example`, async () => {
      const operation = (await app.get<OpenApiDocument>('/docs-json')).body.paths[path].post!;

      assert.ok(operation.requestBody?.content['application/json']?.schema, 'no request schema');
      for (const code of codes) {
        const documented = operation.responses[code];
        assert.ok(documented, `response ${code} is not documented`);
        const json = documented.content?.['application/json'];
        assert.ok(json?.example ?? json?.examples, `response ${code} has no example`);
      }
    });
  }
});

describe('operations in production (DOCS_ENABLED defaults to false)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ NODE_ENV: 'production', MAIL_URL: smtp.url });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('serves no /docs and no /docs-json, but /health', async () => {
    assertError(await app.get('/docs'), 404);
    assertError(await app.get('/docs-json'), 404);
    assert.equal((await app.get('/health')).status, 200);
  });

  it('has no development outbox', async () => {
    assertError(await app.get('/dev/outbox.json'), 404);
    assertError(await app.get('/dev/outbox'), 404);
  });
});
