import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { AllExceptionsFilter } from './all-exceptions.filter.js';
import { bodyErrorMessage } from './body-errors.js';

/** Nest's platform error handler: `(err, req, res, next)` on Express and on Fastify alike. */
type PlatformErrorHandler = (
  error: unknown,
  request: unknown,
  response: unknown,
  next: unknown,
) => unknown;

/**
 * Answers a body that cannot be read (malformed JSON, too large, not JSON) on the module's own
 * routes with the module's filter: the fixed message, nothing of the body quoted.
 *
 * Such an error happens in the platform's body parser, before Nest has picked a handler, so no
 * controller-scoped filter sees it (on Express as on Fastify): Nest hands it to the one error
 * handler it installs on the platform with `HttpServer.setErrorHandler()`, which only knows the
 * app's global filters — the host's, or Nest's default that answers with the parser's own text
 * (part of a password, say). Nest installs that handler once, after the `OnModuleInit` hooks
 * (the lifecycle documented on `HttpServer`); this hook wraps it there. A body error on a path
 * under the module's prefix goes to the module's filter; anything else goes to the host's handler
 * unchanged. The path is all there is to go by: on Express the body is read before any route
 * matches. Built by `OtpAuthModule`, which knows its route prefix.
 */
export class BodyErrorHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly filter: AllExceptionsFilter,
    private readonly routePrefix: string,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost.httpAdapter;
    // An application context (no HTTP server) has no adapter.
    if (!adapter?.setErrorHandler) return;
    const install = adapter.setErrorHandler.bind(adapter);
    adapter.setErrorHandler = (handler: PlatformErrorHandler, globalPrefix?: string): unknown => {
      const isOwnPath = ownPathTest(this.routePrefix, globalPrefix);
      // Four parameters: Express only passes errors to a handler whose arity is four.
      const scoped: PlatformErrorHandler = (error, request, response, next) => {
        const url = String(adapter.getRequestUrl(request));
        if (bodyErrorMessage(error) === undefined || !isOwnPath(url)) {
          return handler(error, request, response, next);
        }
        this.filter.catch(
          adapter.mapException(error),
          new ExecutionContextHost([request, response, next]),
        );
        return undefined;
      };
      return install(scoped, globalPrefix);
    };
  }
}

/**
 * Whether a request URL is under the module's prefix, with or without the host's global prefix
 * (routes excluded from it stay at the root). Case-insensitive, as Express's routing is.
 */
function ownPathTest(routePrefix: string, globalPrefix = ''): (url: string) => boolean {
  const join = (...parts: string[]) =>
    `/${parts
      .map((part) => part.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')}`.toLowerCase();
  const roots = [join(globalPrefix, routePrefix), join(routePrefix)];
  const subtrees = roots.map((root) => (root === '/' ? root : `${root}/`));
  return (url) => {
    const path = url.split('?', 1)[0].toLowerCase();
    return roots.includes(path) || subtrees.some((subtree) => path.startsWith(subtree));
  };
}
