import {
  Body,
  Catch,
  Controller,
  Get,
  HttpException,
  Module,
  Post,
  UseGuards,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
  type PipeTransform,
} from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsEmail } from 'class-validator';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CurrentUser,
  OtpAuthGuard,
  OtpAuthModule,
  Public,
  type AuthenticatedUser,
} from '../../src/index.js';
import {
  hostModuleOptions,
  itKeepsTheModuleConventions,
  LEAKY_JSON,
} from '../support/module-host.js';
import { Messages } from '../support/registration.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { ApiClient } from '../support/test-app.js';

class ContactDto {
  @IsEmail()
  email!: string;
}

/** The host's own routes: one public with a body, one guarded by the module's exported guard. */
@Controller('host')
class HostController {
  @Post('contact')
  @Public()
  contact(@Body() body: ContactDto): { email: string } {
    return { email: body.email };
  }

  @Get('mine')
  @UseGuards(OtpAuthGuard)
  mine(@CurrentUser() user: AuthenticatedUser): { owner: string } {
    return { owner: user.id };
  }
}

/** A host's own error shape, to tell its answers from the module's. */
@Catch(HttpException)
class HostErrorFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: HttpException, host: ArgumentsHost): void {
    const response: unknown = host.switchToHttp().getResponse();
    this.adapterHost.httpAdapter.reply(
      response,
      { host_error: exception.message },
      exception.getStatus(),
    );
  }
}

interface HostSetup {
  name: string;
  platform: 'express' | 'fastify';
  globalPipe?: () => PipeTransform;
  hostFilter?: boolean;
  globalPrefix?: string;
  routePrefix?: string;
}

const SETUPS: HostSetup[] = [
  { name: 'no global pipe or filter', platform: 'express' },
  {
    name: 'no global pipe or filter',
    platform: 'fastify',
    globalPrefix: 'v1',
    routePrefix: 'account',
  },
  {
    name: "a plain ValidationPipe and the host's own filter",
    platform: 'express',
    globalPipe: () => new ValidationPipe(),
    hostFilter: true,
    globalPrefix: 'v1',
  },
  {
    name: "a plain ValidationPipe and the host's own filter",
    platform: 'fastify',
    globalPipe: () => new ValidationPipe(),
    hostFilter: true,
  },
  {
    name: 'a ValidationPipe with whitelist, transform and forbidNonWhitelisted',
    platform: 'express',
    globalPipe: () =>
      new ValidationPipe({ whitelist: true, transform: true, forbidNonWhitelisted: true }),
  },
  {
    name: 'a ValidationPipe with whitelist, transform and forbidNonWhitelisted',
    platform: 'fastify',
    globalPipe: () =>
      new ValidationPipe({ whitelist: true, transform: true, forbidNonWhitelisted: true }),
  },
];

/**
 * The module in host apps that configure their global pipes and filters their own way, on Express
 * and on Fastify: the module's routes keep the module's validation, normalization and error shape
 * (its pipe and filter are scoped to its controllers, and a body error under its prefix goes to its
 * filter), while the host's own routes keep the host's behaviour.
 */
for (const setup of SETUPS) {
  describe(`the module's routes in a host with ${setup.name} (${setup.platform})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-auth-host-conventions-'));
    const registered: string[] = [];
    const globalPrefix = setup.globalPrefix ? `/${setup.globalPrefix}` : '';
    const api = new ApiClient();
    let smtp: SmtpSink;
    let app: INestApplication;

    before(async () => {
      smtp = await new SmtpSink().start();
      @Module({
        imports: [
          OtpAuthModule.forRoot({
            ...hostModuleOptions(smtp, dir),
            hooks: { onUserRegistered: (event) => void registered.push(event.email) },
            routePrefix: setup.routePrefix,
          }),
        ],
        controllers: [HostController],
      })
      class HostModule {}

      app =
        setup.platform === 'fastify'
          ? await NestFactory.create(HostModule, new FastifyAdapter(), { logger: false })
          : await NestFactory.create(HostModule, { logger: false });
      if (setup.globalPrefix) app.setGlobalPrefix(setup.globalPrefix);
      if (setup.globalPipe) app.useGlobalPipes(setup.globalPipe());
      if (setup.hostFilter) app.useGlobalFilters(new HostErrorFilter(app.get(HttpAdapterHost)));
      await app.listen(0, '127.0.0.1');
      api.baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    });

    after(async () => {
      await app?.close();
      await smtp?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    itKeepsTheModuleConventions(() => ({
      api,
      smtp,
      prefix: `${globalPrefix}/${setup.routePrefix ?? 'api/users'}`,
      guardedPath: `${globalPrefix}/host/mine`,
      registered,
    }));

    it("leaves the host's own routes to the host's pipes and filters", async () => {
      const contact = `${globalPrefix}/host/contact`;
      const typed = await api.post(contact, { email: 'Ada@Example.com' });
      assert.equal(typed.status, 201, typed.text);
      assert.equal(typed.body.email, 'Ada@Example.com', "the module's normalization stays out");

      const malformed = await api.post(contact, LEAKY_JSON, {
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(malformed.status, 400);
      assert.notEqual(malformed.body.message, Messages.malformedJson, "the module's answer");
      if (setup.hostFilter) {
        assert.deepEqual(Object.keys(malformed.body), ['host_error'], malformed.text);
        const invalid = await api.post(contact, { email: 'not an address' });
        assert.equal(invalid.status, 400);
        assert.deepEqual(Object.keys(invalid.body), ['host_error'], invalid.text);
      }
      if (setup.globalPipe) {
        const invalid = await api.post(contact, { email: 'not an address' });
        assert.equal(invalid.status, 400, "the host's pipe validates the host's route");
      } else {
        const unchecked = await api.post(contact, { email: 'not an address' });
        assert.equal(unchecked.status, 201, "the module's pipe stays out of the host's route");
      }
    });
  });
}
