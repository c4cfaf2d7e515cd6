import type { TrustProxy } from '../config/trust-proxy.js';

/** Fastify's `trustProxy` option, in the forms this service gives it. */
export type FastifyTrustProxy = false | string[] | ((address: string, hop: number) => boolean);

/**
 * `TRUST_PROXY` as Fastify's `trustProxy`. A hop count becomes a function trusting that many
 * hops from the socket: Fastify 5 takes a bare number as "trust nothing" (a direct client could
 * otherwise send enough entries of its own), so the count's promise, that every request comes
 * through that many proxies, is the operator's to keep; addresses need no such promise.
 * `request.ip` is then the address the nearest trusted proxy saw, for every reader of it (the
 * per-IP limit's tracker among them).
 */
export function fastifyTrustProxy(trust: TrustProxy): FastifyTrustProxy {
  if (typeof trust !== 'number') return trust;
  const hops = trust;
  return (_address, hop) => hop < hops;
}
