import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The headers of every response that is not an HTML page: JSON bodies, and the scripts and styles
 * the pages load. OWASP's set for REST APIs (REST Security Cheat Sheet, "Security headers"; the
 * token responses add its `Cache-Control: no-store`): a JSON document loads nothing and is never
 * framed, so its policy allows nothing. Helmet's other headers govern how a browser treats a
 * document (referrers, cross-origin isolation, DNS prefetch, downloads), and only the pages get
 * them.
 */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/** Headers of any response that are not helmet's. */
const NOT_HELMET = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/**
 * The headers helmet sets with `options`, worked out once. @fastify/helmet rebuilds every helmet
 * middleware (and re-parses the Content-Security-Policy) on each request — about a tenth of the
 * CPU time of a `GET me/` — although with static options (no nonces, no per-route settings) the
 * headers are the same every time. So helmet stays the source of the values, run once on a
 * throwaway Fastify instance, and the service sends the result.
 */
export async function helmetHeaders(
  options: FastifyHelmetOptions,
): Promise<Record<string, string>> {
  const probe = new FastifyAdapter().getInstance();
  await probe.register(helmet, options);
  probe.get('/', (_request, reply) => reply.send('ok'));
  const response = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!NOT_HELMET.has(name) && value !== undefined) headers[name] = String(value);
  }
  return headers;
}
