import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../support/http-assertions.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestApp } from '../support/test-app.js';

interface OpenApiMediaType {
  schema?: { $ref?: string };
  example?: unknown;
  examples?: Record<string, { summary?: string; value: unknown }>;
}

interface OpenApiOperation {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  deprecated?: boolean;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, OpenApiMediaType> };
  responses: Record<
    string,
    { content?: Record<string, OpenApiMediaType>; headers?: Record<string, unknown> }
  >;
}

interface OpenApiDocument {
  openapi: string;
  info: { description: string; version: string };
  servers: { url: string }[];
  security?: Record<string, string[]>[];
  tags: { name: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    securitySchemes?: Record<string, { type: string; scheme?: string }>;
    schemas: Record<string, { properties?: Record<string, { example?: unknown }> }>;
  };
}

const TAGS = ['Registration', 'Session', 'Sessions', 'Password', 'Profile', 'Operations'];

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** The responses the SPEC gives each endpoint; `bearer` marks the protected ones. */
const ENDPOINTS: { method: string; path: string; codes: string[]; bearer?: true }[] = [
  { method: 'post', path: '/api/users/register/', codes: ['200', '400', '409', '429', '503'] },
  { method: 'post', path: '/api/users/confirm-otp/', codes: ['201', '400', '409', '429'] },
  { method: 'post', path: '/api/users/verify-otp/', codes: ['201', '400', '409', '429'] },
  { method: 'post', path: '/api/users/resend-otp/', codes: ['200', '400', '429', '503'] },
  { method: 'post', path: '/api/users/login/', codes: ['200', '400', '401', '429'] },
  { method: 'post', path: '/api/users/token/refresh/', codes: ['200', '400', '401', '503'] },
  { method: 'post', path: '/api/users/logout/', codes: ['200', '400', '401', '503'], bearer: true },
  {
    method: 'post',
    path: '/api/users/logout-all/',
    codes: ['200', '400', '401', '503'],
    bearer: true,
  },
  { method: 'post', path: '/api/users/forgot-password/', codes: ['200', '400'] },
  { method: 'post', path: '/api/users/reset-password/', codes: ['200', '400'] },
  {
    method: 'post',
    path: '/api/users/change-password/',
    codes: ['200', '400', '401', '503'],
    bearer: true,
  },
  { method: 'get', path: '/api/users/me/', codes: ['200', '401', '503'], bearer: true },
  { method: 'patch', path: '/api/users/me/', codes: ['200', '400', '401'], bearer: true },
  { method: 'delete', path: '/api/users/me/', codes: ['204', '400', '401', '503'], bearer: true },
  {
    method: 'get',
    path: '/api/users/sessions/',
    codes: ['200', '400', '401', '503'],
    bearer: true,
  },
  {
    method: 'delete',
    path: '/api/users/sessions/{id}/',
    codes: ['204', '401', '404', '503'],
    bearer: true,
  },
  {
    method: 'post',
    path: '/api/users/sessions/revoke-others/',
    codes: ['200', '401', '503'],
    bearer: true,
  },
  { method: 'get', path: '/health', codes: ['200', '503'] },
  { method: 'get', path: '/.well-known/jwks.json', codes: ['200', '404'] },
];

/** Endpoints that read a JSON body: they have a request schema. */
const WITH_BODY = ENDPOINTS.filter(
  ({ method, path }) =>
    method !== 'get' &&
    method !== 'delete' &&
    !path.endsWith('logout-all/') &&
    !path.endsWith('revoke-others/'),
);

/** Every example body of a response, named for the messages. */
function examplesOf(media: OpenApiMediaType | undefined): [string, unknown][] {
  if (!media) return [];
  if (media.examples) {
    return Object.entries(media.examples).map(([name, example]) => [name, example.value]);
  }
  return media.example === undefined ? [] : [['example', media.example]];
}

/** Every operation of the document, named `METHOD /path`, with its path. */
function operationsOf(document: OpenApiDocument): [string, OpenApiOperation, string][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]): [string, OpenApiOperation, string] => [
      `${method.toUpperCase()} ${path}`,
      op,
      path,
    ]),
  );
}

describe('operations: health and API docs', () => {
  let app: TestApp;
  let document: OpenApiDocument;

  before(async () => {
    app = await TestApp.start();
    const response = await app.get<OpenApiDocument>('/docs-json');
    assert.equal(response.status, 200, response.text);
    document = response.body;
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

  it('Swagger UI keeps the authorization across reloads (persistAuthorization)', async () => {
    const init = await app.get('/docs/swagger-ui-init.js');

    assert.equal(init.status, 200);
    assert.match(init.text, /"persistAuthorization":\s*true/);
  });

  it('the CSP lets Swagger UI run from our own files only and never upgrades http to https', async () => {
    const csp = (await app.get('/docs')).headers.get('content-security-policy') ?? '';
    const directives = new Map(
      csp.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );

    assert.deepEqual(directives.get('script-src'), [`'self'`], csp);
    assert.ok(directives.has('default-src'), csp);
    // It would send every asset of /docs over https on a plain-http address: a blank page.
    assert.ok(!directives.has('upgrade-insecure-requests'), csp);
  });

  it("API responses carry OWASP's REST headers, success or error, and the pages helmet's", async () => {
    const expected = {
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
    };
    for (const path of ['/health', '/api/users/me/', '/api/users/no-such-route']) {
      const response = await app.get(path);
      for (const [name, value] of Object.entries(expected)) {
        assert.equal(response.headers.get(name), value, `${name} of ${path} (${response.status})`);
      }
    }
    const page = await app.get('/docs');
    assert.equal(page.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  });

  it('GET /docs-json is an OpenAPI 3 document with every endpoint, verify-otp deprecated', () => {
    assert.match(document.openapi, /^3\./);
    for (const { method, path } of ENDPOINTS) {
      assert.ok(document.paths[path]?.[method], `${method.toUpperCase()} ${path} is missing`);
    }
    assert.equal(document.paths['/api/users/verify-otp/'].post.deprecated, true);
    const deprecated = operationsOf(document).filter(([, op]) => op.deprecated);
    assert.deepEqual(
      deprecated.map(([name]) => name),
      ['POST /api/users/verify-otp/'],
    );
  });

  it('the introduction explains the flow and points to the development outbox', () => {
    const intro = document.info.description;
    for (const step of ['register', 'confirm-otp', 'login', 'Authorize', '/api/users/me']) {
      assert.ok(intro.includes(step), `the introduction does not mention ${step}`);
    }
    assert.ok(intro.includes('](/dev/outbox)'), 'no link to /dev/outbox');
  });

  it('tags every operation with one of the six areas, in that order', () => {
    assert.deepEqual(
      document.tags.map((tag) => tag.name),
      TAGS,
    );
    for (const [name, op] of operationsOf(document)) {
      assert.equal(op.tags?.length, 1, `${name}: tags ${String(op.tags)}`);
      const tag = op.tags?.[0] ?? '';
      assert.ok(TAGS.includes(tag), `${name}: tag ${tag}`);
    }
  });

  it('gives every operation a summary, a description and an operationId without "_"', () => {
    for (const [name, op] of operationsOf(document)) {
      assert.ok(op.summary?.trim(), `${name} has no summary`);
      assert.ok(op.description?.trim(), `${name} has no description`);
      // Swagger UI puts it in deep links and warns on reload when it has an underscore.
      assert.match(op.operationId ?? '', /^[A-Za-z]+$/, `${name}: operationId ${op.operationId}`);
    }
  });

  for (const { method, path, codes } of ENDPOINTS) {
    const name = `${method.toUpperCase()} ${path}`;
    it(`documents ${name} with every response code of the SPEC`, () => {
      const op = document.paths[path][method];
      // A body sent to any of them is read (and may be too large, or not JSON), used or not.
      const expected = method === 'get' ? codes : [...codes, '413', '415'];
      for (const code of expected) {
        assert.ok(op.responses[code], `${name}: response ${code} is not documented`);
      }
    });
  }

  it('gives every response with a body an example whose statusCode is its code', () => {
    for (const [name, op, path] of operationsOf(document)) {
      for (const [code, response] of Object.entries(op.responses)) {
        if (code === '204') continue;
        const examples = examplesOf(response.content?.['application/json']);
        assert.ok(examples.length > 0, `${name} ${code} has no example`);
        // /health answers in @nestjs/terminus's shape, not Nest's error shape.
        if (Number(code) < 400 || path === '/health') continue;
        for (const [exampleName, body] of examples) {
          assert.equal(
            (body as { statusCode?: number }).statusCode,
            Number(code),
            `${name} ${code} example "${exampleName}"`,
          );
        }
      }
    }
  });

  it('documents Retry-After on every 429', () => {
    for (const [name, op] of operationsOf(document)) {
      if (!op.responses['429']) continue;
      assert.ok(op.responses['429'].headers?.['Retry-After'], `${name}: 429 without Retry-After`);
    }
  });

  it('gives every endpoint with a JSON body its request schema', () => {
    for (const { method, path } of WITH_BODY) {
      const body = document.paths[path][method].requestBody;
      assert.ok(body?.content['application/json']?.schema, `${method} ${path}: no request schema`);
    }
  });

  it('asks for the Bearer token by default, and says so of each operation: none on the public ones', () => {
    const scheme = document.components.securitySchemes?.bearer;
    assert.equal(scheme?.type, 'http');
    assert.equal(scheme?.scheme, 'bearer');
    assert.deepEqual(document.security, [{ bearer: [] }]);
    for (const { method, path, bearer } of ENDPOINTS) {
      const security = document.paths[path][method].security;
      assert.deepEqual(security, bearer ? [{ bearer: [] }] : [], `${method} ${path}`);
    }
  });

  it("lists the API's paths with the trailing slash, as SPEC writes them, and the package's version", () => {
    const apiPaths = Object.keys(document.paths).filter((path) => path.startsWith('/api/'));
    assert.ok(apiPaths.length > 0);
    for (const path of apiPaths) assert.match(path, /\/$/, path);
    assert.equal(document.info.version, PACKAGE_VERSION);
    assert.deepEqual(
      document.servers.map((server) => server.url),
      ['/'],
    );
  });

  it('documents the development outbox, which is on here', () => {
    const op = document.paths['/dev/outbox.json']?.get;
    assert.ok(op, 'GET /dev/outbox.json is not documented');
    assert.deepEqual(op.tags, ['Operations']);
  });

  it('the register example body works as it is in "Try it out"', async () => {
    const schema = document.components.schemas.RegisterDto;
    const example = Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([field, property]) => [field, property.example]),
    );
    assert.deepEqual(Object.keys(example).sort(), ['email', 'full_name', 'password']);

    const response = await app.post('/api/users/register/', example);

    assert.equal(response.status, 200, response.text);
  });
});

describe('API docs with MAIL_URL set outside production', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({ MAIL_URL: smtp.url });
  });
  after(async () => {
    await app.close();
    await smtp.stop();
  });

  it('neither document the outbox nor point to it', async () => {
    const document = (await app.get<OpenApiDocument>('/docs-json')).body;

    assert.equal(document.paths['/dev/outbox.json'], undefined);
    assert.ok(!document.info.description.includes('/dev/outbox'), document.info.description);
  });
});

describe('operations in production (DOCS_ENABLED defaults to false)', () => {
  let smtp: SmtpSink;
  let app: TestApp;

  before(async () => {
    smtp = await new SmtpSink().start();
    app = await TestApp.start({
      NODE_ENV: 'production',
      MAIL_URL: smtp.url,
      APP_URL: 'https://auth.example.com',
    });
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
    assertError(await app.get('/dev/outbox.js'), 404);
  });
});
