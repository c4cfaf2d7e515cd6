/**
 * The framework's ceilings: a bare Nest app on the same Fastify adapter and options as the
 * service, run as a child process by the bench.
 *
 * `GET /bare` returns a small JSON object: the ceiling of `GET me/`. `POST /bare-post` is the
 * ceiling of refresh: the refresh body through the service's own validation pipe and DTO (on the
 * body, as the service puts it: see HttpConventions), answered with a pair of the presented
 * token, with no work in between — what any validated JSON POST that answers a token pair costs
 * on this framework.
 *
 * `GET /bare-headers` is `GET me/`'s shape without its work: requested with the same Bearer
 * header (which it does not read), answered with a body of a profile's size and the headers every
 * `GET me/` must carry (`Cache-Control: no-store`, the SPEC's; OWASP's four for a REST API, the
 * service's own values). It tells how much of the distance between `GET me/` and the bare GET the
 * request and the response themselves cost (`npm run bench:instructions`). `GET /bare-guarded` is
 * the same routed as `GET me/` is: behind a guard (one that admits every request) and with two
 * custom parameter decorators, so that what is left beyond it is the service's own work.
 */
import 'reflect-metadata';
import {
  applyDecorators,
  Body,
  type CanActivate,
  Controller,
  createParamDecorator,
  type ExecutionContext,
  Get,
  Header,
  HttpCode,
  Injectable,
  Module,
  Post,
  UseGuards,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RefreshTokenDto } from '../src/auth/dto/refresh-token.dto.js';
import { API_SECURITY_HEADERS } from '../src/bootstrap/security-headers.js';
import { RequestValidationPipe } from '../src/common/http/request-validation.pipe.js';
import { PROFILE_EXAMPLE } from '../src/profile/dto/profile.response.js';

/**
 * The headers every `GET me/` answer carries, here as the route's own: `Cache-Control: no-store`
 * and the security headers the service adds to every JSON answer.
 */
const MeResponseHeaders = (): MethodDecorator =>
  applyDecorators(
    Header('Cache-Control', 'no-store'),
    ...Object.entries(API_SECURITY_HEADERS).map(([name, value]) => Header(name, value)),
  );

/** The caller every request is given by {@link AdmitEveryone}. */
const ANYONE = Object.freeze({ id: 'anyone' });

/** A guard's place in the pipeline, without a check: it admits every request as {@link ANYONE}. */
@Injectable()
class AdmitEveryone implements CanActivate {
  canActivate(context: ExecutionContext): Promise<boolean> {
    context.getArgByIndex<{ user?: object }>(0).user = ANYONE;
    return Promise.resolve(true);
  }
}

/** What a guard left on the request, as `@CurrentUser()` and `@Prefetched()` read it. */
const FromRequest = createParamDecorator(
  (key: 'user' | 'prefetched', context: ExecutionContext): unknown =>
    context.getArgByIndex<Record<string, unknown>>(0)[key],
);

@Controller()
class BareController {
  @Get('bare')
  get(): { status: string; id: number } {
    return { status: 'ok', id: 1 };
  }

  @Get('bare-headers')
  @MeResponseHeaders()
  getWithHeaders(): typeof PROFILE_EXAMPLE {
    return PROFILE_EXAMPLE;
  }

  @Get('bare-guarded')
  @UseGuards(AdmitEveryone)
  @MeResponseHeaders()
  getGuarded(
    @FromRequest('user') _caller: object,
    @FromRequest('prefetched') _cached: unknown,
  ): Promise<typeof PROFILE_EXAMPLE> {
    return Promise.resolve(PROFILE_EXAMPLE);
  }

  @Post('bare-post')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  post(@Body(RequestValidationPipe) body: RefreshTokenDto): { access: string; refresh: string } {
    const token = body.refresh ?? '';
    return { access: token, refresh: token };
  }
}

@Module({
  controllers: [BareController],
  providers: [AdmitEveryone],
})
class BareModule {}

async function main(): Promise<void> {
  const adapter = new FastifyAdapter({
    bodyLimit: 16 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, adapter, {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
