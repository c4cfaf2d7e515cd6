import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { OUTBOX_JSON_PATH, OUTBOX_PATH_ITEM } from './dev-outbox.openapi.js';

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
 * Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`: tags by area, the Bearer
 * scheme (kept across reloads), and the development outbox when it is on.
 */
export function setUpSwagger(app: INestApplication, options: SwaggerSetupOptions): void {
  const config = new DocumentBuilder()
    .setTitle('otp-auth')
    .setDescription(introduction(options))
    .setVersion('1.0')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'The `access` token from login (or refresh, or change-password), without "Bearer".',
    })
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
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'otp-auth · API docs',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
