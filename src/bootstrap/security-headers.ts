import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import { FastifyAdapter } from '@nestjs/platform-fastify';

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
