import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { createRequire } from 'node:module';
import { OUTBOX_JSON_PATH, OUTBOX_PATH_ITEM } from './dev-outbox.openapi.js';

/**
 * The package's own `package.json`, by its name (a package may import itself through its
 * `exports`): the same from `dist/` as from the tests' build or from a host's `node_modules`.
 */
const PACKAGE = createRequire(import.meta.url)('otp-auth/package.json') as {
  version: string;
  license: string;
};

/** The name of the Bearer security scheme. */
const BEARER = 'bearer';

/** Where the API's paths start: SPEC writes them, and the document lists them, with the slash. */
const API_PATHS = '/api/';

/** What the docs need to know of the service they describe. */
export interface SwaggerSetupOptions {
  /** The development outbox is served: the introduction points to it and it is documented. */
  outboxEnabled: boolean;
}

const READ_THE_CODE = {
  outbox:
    '2. Read the 6-digit code in the **[development outbox](/dev/outbox)** (open it in another tab): ' +
    'without SMTP configured, every e-mail lands there, newest first, with a copy button ' +
    '(also as [JSON](/dev/outbox.json)). It is never served in production.',
  smtp: '2. Read the 6-digit code in the e-mail sent to that address.',
};

function introduction(options: SwaggerSetupOptions): string {
  return `Email-OTP authentication: register with an e-mail address and a password, confirm with the \
code sent by e-mail, then use JWT access and refresh tokens.

**Walk through it from this page.** For each step expand the operation, click **Try it out**, \
edit the example body, then **Execute**.

1. **Registration → POST /api/users/register/** with your e-mail, a password (8 characters or \
more, not a common one) and your name. The example body works as it is.
${options.outboxEnabled ? READ_THE_CODE.outbox : READ_THE_CODE.smtp}
3. **POST /api/users/confirm-otp/** with the e-mail and the code → \`201\`: the account exists.
4. **Session → POST /api/users/login/** → copy \`access\` from the response.
5. Click **Authorize** (right, below), paste the token, **Authorize**, **Close**. The token is \
kept across page reloads until you log out of it there.
6. **Profile → GET /api/users/me/** → your profile. Refresh the tokens, change or reset the \
password (the reset e-mail carries a token to copy), log out: the same way.

Every path works with and without the trailing slash. Errors use Nest's standard shape \
\`{"statusCode", "error", "message"}\`, where \`message\` is a string, or an array of strings \
for field validation errors; a \`429\` tells how long to wait in \`Retry-After\` (seconds).`;
}

/**
 * The API's paths as SPEC writes them, with the trailing slash (`/api/users/login/`); both forms
 * are served. Swagger UI's "Try it out" calls the path as listed.
 */
function withTrailingSlash(paths: OpenAPIObject['paths']): OpenAPIObject['paths'] {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path.startsWith(API_PATHS) && !path.endsWith('/') ? `${path}/` : path,
      item,
    ]),
  );
}

/**
 * Every operation states its security: the document's default is the Bearer token, as the
 * global guard's is, and an operation that does not ask for it (`BearerAuth()`) is `@Public()`,
 * which the document says with an empty requirement. (An empty `@ApiSecurity` list is dropped by
 * @nestjs/swagger, hence this step.)
 */
function withPublicOperationsMarked(paths: OpenAPIObject['paths']): void {
  for (const item of Object.values(paths)) {
    for (const operation of [item.get, item.post, item.patch, item.put, item.delete]) {
      if (operation && !operation.security) operation.security = [];
    }
  }
}

/**
 * The OpenAPI document of the app: tags by area, the Bearer scheme as the default requirement,
 * the package's version, a relative server (the origin the docs are loaded from), and the
 * development outbox when it is on.
 */
export function createOpenApiDocument(
  app: INestApplication,
  options: SwaggerSetupOptions,
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('otp-auth')
    .setDescription(introduction(options))
    .setVersion(PACKAGE.version)
    .setLicense(PACKAGE.license, `https://spdx.org/licenses/${PACKAGE.license}.html`)
    // Relative: "Try it out" calls the host the page came from, whatever name it was reached by.
    .addServer('/', 'This service (the origin these docs were loaded from)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description:
          'The `access` token from login (or refresh, or change-password), without "Bearer".',
      },
      BEARER,
    )
    .addSecurityRequirements(BEARER)
    .addTag('Registration', 'Register, confirm the e-mailed code, resend it')
    .addTag('Session', 'Log in, rotate the refresh token, log out')
    .addTag('Sessions', 'Your sessions on each device: list them, end one, end the others')
    .addTag('Password', 'Forgotten password (reset by e-mailed token) and password change')
    .addTag('Profile', 'The signed-in user: read, rename, deactivate')
    .addTag(
      'Operations',
      options.outboxEnabled
        ? 'Health, the public signing keys, and the development outbox'
        : 'Health of the service, and its public signing keys',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    // The method name alone (`register`, `login`, `getProfile`): Swagger UI puts operation ids in
    // its deep links (`/docs#/Session/login`) and warns on reload about an id with `_` in it, as
    // Nest's default `SessionController_login` has; client generators name methods after them too.
    operationIdFactory: (_controllerKey: string, methodKey: string) => methodKey,
  });
  if (options.outboxEnabled) document.paths[OUTBOX_JSON_PATH] = OUTBOX_PATH_ITEM;
  document.paths = withTrailingSlash(document.paths);
  withPublicOperationsMarked(document.paths);
  return document;
}

/**
 * Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`, the Bearer token kept
 * across reloads.
 */
export function setUpSwagger(app: INestApplication, options: SwaggerSetupOptions): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app, options), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'otp-auth · API docs',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
