import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import { BEARER_ROUTE_KEY } from '../auth/decorators/bearer-auth.decorator.js';
import { JwtAuthGuard } from '../auth/guards/jwt-auth.guard.js';

/** Methods whose requests Fastify never reads a body for. */
const BODYLESS_METHODS = new Set(['GET', 'HEAD', 'TRACE']);

/**
 * Authentication before the body, on the Bearer routes that take one. Fastify reads and parses
 * a body before Nest's guards run, so an unauthenticated request would otherwise learn how its
 * body is judged (413, 415, 400) before being told it is not authenticated; every such request
 * gets its 401 first instead, whatever its body, and no body of it is read.
 *
 * The routes are those whose handler {@link BearerAuth} marked. The check is the guard's own
 * (`JwtAuthGuard.authenticate`), run from an `onRequest` hook of the route; the guard still runs
 * as usual afterwards and stays the authority. Routes without a body (`GET me/`) get no hook and
 * cost what they did. Call before the app initialises: the hook is attached as routes are added.
 */
export function authenticateBeforeBody(app: NestFastifyApplication): void {
  const guard = app.get(JwtAuthGuard, { strict: false });
  const authenticateFirst: onRequestAsyncHookHandler = async (request, reply) => {
    await guard.authenticate(new ExecutionContextHost([request, reply]));
  };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route: RouteOptions) => {
      const methods = [route.method].flat();
      if (methods.every((method) => BODYLESS_METHODS.has(method))) return;
      if (Reflect.getMetadata(BEARER_ROUTE_KEY, route.handler) !== true) return;
      route.onRequest = [...[route.onRequest ?? []].flat(), authenticateFirst];
    });
}
