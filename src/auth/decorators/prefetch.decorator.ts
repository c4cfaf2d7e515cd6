import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { httpRequestOf } from '../../common/http/http-request-of.js';

/** Metadata key: the store key a Bearer route reads along with the Bearer check. */
export const PREFETCH_KEY = 'otp-auth:prefetch';

/** The store key of something a route needs, for the caller with this user id. */
export type StoreKeyOf = (userId: string) => string;

/** Where the guard leaves the prefetched value on the request; the module's own. */
const PREFETCHED = Symbol('otp-auth:prefetched');

/** A request as the guard and {@link Prefetched} see it. */
export interface PrefetchingRequest {
  [PREFETCHED]?: string | null;
}

/**
 * Has the Bearer guard read the caller's `keyOf(userId)` in the same store read as the
 * revocation facts of the caller's token: with Redis, one round trip for the check and what the
 * route needs next instead of two. The handler takes the value with {@link Prefetched}.
 *
 * The value is read no later than the revocation check, so it is only a snapshot: a handler
 * treats it as it would a read of its own (a cache copy filled only with set-if-absent, say).
 */
export const PrefetchFromStore = (keyOf: StoreKeyOf): MethodDecorator =>
  SetMetadata(PREFETCH_KEY, keyOf);

/** Hands the value read for {@link PrefetchFromStore} to the handler (see {@link Prefetched}). */
export function setPrefetched(request: PrefetchingRequest, value: string | null): void {
  request[PREFETCHED] = value;
}

/**
 * The value the Bearer guard read for the route's {@link PrefetchFromStore}: the stored string,
 * null when the key does not exist, or undefined when the guard did not read it (a token seen
 * for the first time goes through passport, which reads nothing else), in which case the handler
 * reads the key itself.
 */
export const Prefetched = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string | null | undefined =>
    httpRequestOf<PrefetchingRequest>(context)[PREFETCHED],
);
