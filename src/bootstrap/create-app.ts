import type { LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import type { AppConfig } from '../config/environment.js';
import { setUpSwagger } from '../docs/swagger.js';
import { authenticateBeforeBody } from './bearer-before-body.js';
import { fastifyTrustProxy } from './fastify-trust-proxy.js';
import { GracefulFastifyAdapter } from './graceful-fastify.adapter.js';
import { limitJsonDepth } from './json-body.parser.js';
import { API_SECURITY_HEADERS, helmetHeaders } from './security-headers.js';

/** Bodies larger than this get 413 (SPEC). */
export const BODY_LIMIT_BYTES = 16 * 1024;
/**
 * How long a client may take to send a whole request, headers and body. Without a bound, a client
 * sending a byte every few seconds holds its connection (and a slot of the load balancer's) for
 * as long as it likes: Slowloris. 16 KiB take a fraction of a second even on a poor mobile link.
 */
export const REQUEST_RECEIVE_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past that bound; its default, 30 s, would quadruple it. */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

export interface CreateAppOptions {
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Builds the standalone service on Fastify with its HTTP hygiene: security headers (helmet's on
 * the HTML pages, OWASP's REST set on the rest), the 16 KiB body limit and the JSON depth limit,
 * a 10 s bound on receiving a request, the client address from trusted proxies only,
 * authentication before the body on Bearer routes, trailing slashes accepted, CORS and Swagger as
 * configured. Used by `main.ts` and by the end-to-end tests, so both run the same app; `main.ts`
 * adds the process's signal handling.
 */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new GracefulFastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // Node's requestTimeout (Fastify sets it on the server, 0 = none, by default) covers the body;
    // headersTimeout the headers; the server checks both every TIMEOUT_CHECK_INTERVAL_MS and
    // answers 408 with the connection closed.
    requestTimeout: REQUEST_RECEIVE_TIMEOUT_MS,
    http: {
      headersTimeout: REQUEST_RECEIVE_TIMEOUT_MS,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
    trustProxy: fastifyTrustProxy(config.http.trustProxy),
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });
  // Fastify parses text/plain bodies into a string by default, which a route without a body
  // parameter (logout-all) would then accept; a body that is not JSON must get 415 or 400 (SPEC).
  adapter.getInstance().removeContentTypeParser('text/plain');
  limitJsonDepth(adapter.getInstance());
  const pageHeaders = await helmetHeaders({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        // Swagger UI sets inline styles; its scripts, like the outbox page's, are files of our own.
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`],
        // The only HTML pages are /docs and /dev/outbox, which development setups open over plain
        // http on addresses other than localhost (a VM, a container's host): there this directive
        // would turn every asset request into https and leave a blank page.
        upgradeInsecureRequests: null,
      },
    },
  });
  // Set on the way out, when the content type tells a page from the API's JSON.
  adapter.getInstance().addHook('onSend', (_request, reply, payload, done) => {
    const contentType = reply.getHeader('content-type');
    const isPage = typeof contentType === 'string' && contentType.startsWith('text/html');
    reply.headers(isPage ? pageHeaders : API_SECURITY_HEADERS);
    done(null, payload);
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    abortOnError: false,
    // Fastify's own JSON parser is the only one: Nest's defaults would also accept form-encoded
    // bodies, and a body that is not JSON must get 415 or 400 (SPEC).
    bodyParser: false,
    // From the start of a shutdown, while the requests in flight finish: new requests get 503
    // (with `Connection: close`), so a load balancer tries another instance.
    return503OnClosing: true,
    logger: options.logger,
    bufferLogs: false,
  });
  authenticateBeforeBody(app);

  if (config.http.corsOrigins.length > 0) {
    app.enableCors({ origin: config.http.corsOrigins, credentials: false });
  }
  if (config.http.docsEnabled) {
    setUpSwagger(app, { outboxEnabled: config.otpAuth.mail.outboxEnabled });
  }
  return app;
}
