/**
 * The framework's ceilings: a bare Nest app on the same Fastify adapter and options as the
 * service, run as a child process by the bench.
 *
 * `GET /bare` returns a small JSON object: the ceiling of `GET me/`. `POST /bare-post` is the
 * ceiling of refresh: the refresh body through the service's own validation pipe and DTO,
 * answered with a pair of the presented token, with no work in between — what any validated
 * JSON POST that answers a token pair costs on this framework.
 */
import 'reflect-metadata';
import { Body, Controller, Get, Header, HttpCode, Module, Post } from '@nestjs/common';
import { APP_PIPE, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RefreshTokenDto } from '../src/auth/dto/refresh-token.dto.js';
import { RequestValidationPipe } from '../src/common/http/request-validation.pipe.js';

@Controller()
class BareController {
  @Get('bare')
  get(): { status: string; id: number } {
    return { status: 'ok', id: 1 };
  }

  @Post('bare-post')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  post(@Body() body: RefreshTokenDto): { access: string; refresh: string } {
    const token = body.refresh ?? '';
    return { access: token, refresh: token };
  }
}

@Module({
  controllers: [BareController],
  providers: [{ provide: APP_PIPE, useClass: RequestValidationPipe }],
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
