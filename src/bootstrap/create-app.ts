import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import type { AppConfig } from '../config/environment.js';
import { setUpSwagger } from '../docs/swagger.js';
import { helmetHeaders } from './security-headers.js';

/** Bodies larger than this get 413 (SPEC). */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the standalone service on Fastify with its HTTP hygiene: helmet's headers, the 16 KiB body limit,
 * trailing slashes accepted, CORS and Swagger as
 * configured. Used by `main.ts` and by the end-to-end tests, so both run the same app.
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.http.trustProxy,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  // Fastify parses text/plain bodies into a string by default, which a route without a body
  // parameter (logout-all) would then accept; a body that is not JSON must get 415 or 400 (SPEC).
  adapter.getInstance().removeContentTypeParser('text/plain');
  const securityHeaders = await helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`, `'unsafe-inline'`],
      },
    },
  });
  adapter.getInstance().addHook('onRequest', (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    abortOnError: false,
    // Fastify's own JSON parser is the only one: Nest's defaults would also accept form-encoded
    // bodies, and a body that is not JSON must get 415 or 400 (SPEC).
    bodyParser: false,
    logger: options.logger,
    bufferLogs: false,
  });

  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, credentials: false });
  }
  app.enableShutdownHooks();
  if (config.http.docsEnabled) setUpSwagger(app);
  return app;
}
