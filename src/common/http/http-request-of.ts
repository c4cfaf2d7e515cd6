import type { ExecutionContext } from '@nestjs/common';

/**
 * The HTTP request of a guard's or a parameter decorator's context. The same object as
 * `context.switchToHttp().getRequest()`, whose every call builds three new closures: on the
 * routes every request takes (the Bearer check, the caller's parameters) that is measurable.
 * Only for code that runs in HTTP contexts, where the first argument is the request.
 */
export function httpRequestOf<T>(context: ExecutionContext): T {
  return context.getArgByIndex<T>(0);
}
