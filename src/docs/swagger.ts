import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

const INTRODUCTION = `Email-OTP authentication.

**The flow, from this page alone:**
1. \`POST /api/users/register/\` with your e-mail, a password and your name.
2. Read the code: without SMTP configured, every e-mail lands in the development outbox at
   [/dev/outbox](/dev/outbox) (and [/dev/outbox.json](/dev/outbox.json)).
3. \`POST /api/users/confirm-otp/\` with the code: the account is created.
4. \`POST /api/users/login/\`, then click **Authorize** and paste the \`access\` token.
5. Call the protected endpoints (\`GET /api/users/me/\`, …).

Every path works with and without the trailing slash. Errors use Nest's standard shape:
\`{"statusCode", "error", "message"}\`.`;

/** Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`. */
export function setUpSwagger(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('otp-auth')
    .setDescription(INTRODUCTION)
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addTag('Registration', 'Register, confirm the e-mailed code, resend it')
    .addTag('Session', 'Log in, refresh, log out')
    .addTag('Password', 'Forgotten password and password change')
    .addTag('Profile', 'The signed-in user')
    .addTag('Operations', 'Health')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
}
