/**
 * The framework's ceiling: a bare Nest app on the same Fastify adapter and options as the
 * service, with one GET route returning a small JSON object. Run as a child process by the bench.
 */
import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class BareController {
  @Get('bare')
  get(): { status: string; id: number } {
    return { status: 'ok', id: 1 };
  }
}

@Module({ controllers: [BareController] })
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
