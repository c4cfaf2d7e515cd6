import {
  Controller,
  Get,
  Headers,
  Module,
  UnauthorizedException,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import { JsonWebTokenError, JwtService } from '@nestjs/jwt';
import { NestFactory } from '@nestjs/core';
import { MailerModule } from '@nestjs-modules/mailer';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DataSource } from 'typeorm';
import {
  CurrentUser,
  OTP_AUTH_ENTITIES,
  OTP_AUTH_MIGRATIONS,
  OtpAuthGuard,
  OtpAuthModule,
  RequestValidationPipe,
  UsersService,
  loadConfigFromEnvironment,
  type AuthenticatedUser,
} from '../../src/index.js';
import { SmtpSink, otpFrom } from '../support/smtp-sink.js';
import { TEST_JWT_SECRET } from '../support/test-app.js';

@Controller('shop')
class ShopController {
  constructor(private readonly jwt: JwtService) {}

  @Get('orders')
  @UseGuards(OtpAuthGuard)
  orders(@CurrentUser() user: AuthenticatedUser) {
    return { owner: user.id };
  }

  /** A host's own check through the JwtService the module exports: otp-auth's keys and rules. */
  @Get('token-subject')
  tokenSubject(@Headers('authorization') authorization = '') {
    try {
      return { sub: this.jwt.verify<{ sub: string }>(authorization.replace(/^Bearer /, '')).sub };
    } catch (error) {
      if (error instanceof JsonWebTokenError) throw new UnauthorizedException(error.message);
      throw error;
    }
  }

  @Get('catalogue')
  catalogue() {
    return { items: [] };
  }
}

/**
 * A host that keeps its own TypeORM connection and its own mailer and turns the global guard
 * off: the module must use the host's connection (tables created by the host running
 * OTP_AUTH_MIGRATIONS) and the host's MailerService, and leave unguarded routes open.
 */
describe("the module on the host's own database connection and mailer (Express)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'otp-auth-host-resources-'));
  let smtp: SmtpSink;
  let app: INestApplication;
  let baseUrl = '';

  before(async () => {
    smtp = await new SmtpSink().start();
    const options = loadConfigFromEnvironment({
      JWT_SECRET: TEST_JWT_SECRET,
      MAIL_URL: smtp.url,
      OTP_RESEND_COOLDOWN: '0',
      DATABASE_URL: `sqlite:${join(dir, 'unused-by-the-module.sqlite')}`,
    }).otpAuth;

    @Module({
      imports: [
        TypeOrmModule.forRoot({
          name: 'shop',
          type: 'sqlite',
          database: join(dir, 'shop.sqlite'),
          entities: OTP_AUTH_ENTITIES,
          migrations: OTP_AUTH_MIGRATIONS,
          migrationsRun: true,
        }),
        MailerModule.forRoot({
          transport: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true },
          defaults: { from: 'shop <shop@example.com>' } as never,
        }),
        OtpAuthModule.forRoot({
          ...options,
          globalGuard: false,
          routePrefix: 'account',
          connection: 'host',
          hostConnectionName: 'shop',
          mailer: 'host',
        }),
      ],
      controllers: [ShopController],
    })
    class HostModule {}

    app = await NestFactory.create(HostModule, { logger: false });
    app.useGlobalPipes(new RequestValidationPipe());
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();
  });

  after(async () => {
    await app?.close();
    await smtp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(method: string, path: string, body?: unknown, token?: string) {
    const response = await fetch(baseUrl + path, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('registers through the host mailer into the host database, and guards only what the host guards', async () => {
    const email = 'host-resources@example.com';
    const password = 'granite willow compass';
    assert.equal(
      (await call('POST', '/account/register', { email, password, full_name: 'Shop User' })).status,
      200,
    );
    const mail = await smtp.waitForMail(email);
    assert.match(mail.from, /shop@example\.com/, "the host mailer's defaults were used");

    const confirm = await call('POST', '/account/confirm-otp', { email, otp: otpFrom(mail) });
    assert.equal(confirm.status, 201);
    const shopDb = app.get<DataSource>(getDataSourceToken('shop'));
    const rows = await shopDb.query<{ email: string }[]>('SELECT email FROM users');
    assert.deepEqual(
      rows.map((row) => row.email),
      [email],
      "the user is in the host's database",
    );
    assert.ok(await app.get(UsersService).findByEmail(email));

    const login = await call('POST', '/account/login', { email, password });
    assert.equal(login.status, 200);
    const access = login.body.access as string;
    assert.equal((await call('GET', '/shop/orders')).status, 401);
    assert.equal((await call('GET', '/shop/orders', undefined, access)).status, 200);
    assert.equal((await call('GET', '/shop/catalogue')).status, 200, 'no global guard');

    // The injected JwtService is otp-auth's: it verifies the login's token, not a forged one.
    const user = await app.get(UsersService).findByEmail(email);
    const subject = await call('GET', '/shop/token-subject', undefined, access);
    assert.deepEqual([subject.status, subject.body], [200, { sub: user?.id }]);
    const [header, , signature] = access.split('.');
    const claims = {
      ...(JSON.parse(Buffer.from(access.split('.')[1], 'base64url').toString()) as object),
      sub: 'someone-else',
    };
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
    const refused = await call('GET', '/shop/token-subject', undefined, forged);
    assert.deepEqual([refused.status, refused.body.message], [401, 'invalid signature']);
  });
});
