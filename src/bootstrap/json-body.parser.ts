import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastify from 'fastify';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../common/http/json-depth.js';

type CallbackBodyParser = (
  request: FastifyRequest,
  body: string | Buffer,
  done: (error: Error | null, value?: unknown) => void,
) => void;

/**
 * Replaces Fastify's JSON body parser with the same parser (secure-json-parse, which refuses
 * `__proto__` and `constructor.prototype` keys) plus a depth limit: a body nested deeper than
 * {@link MAX_JSON_DEPTH} levels fails like malformed JSON (`FST_ERR_CTP_INVALID_JSON_BODY`, so
 * the exception filter answers the fixed "Malformed JSON" 400). RFC 8259 §9 lets a parser limit
 * nesting; refusing here keeps such a body away from every route, whatever it does with its
 * body, before anything recursive runs.
 */
export function limitJsonDepth(instance: FastifyInstance): void {
  // Fastify's default parser is the callback form of FastifyBodyParser.
  const parse = instance.getDefaultJsonParser('error', 'error') as CallbackBodyParser;
  instance.removeContentTypeParser('application/json');
  instance.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parse(request, body, (error, value) => {
      if (!error && nestsDeeperThan(value, MAX_JSON_DEPTH)) {
        done(new fastify.errorCodes.FST_ERR_CTP_INVALID_JSON_BODY(), undefined);
        return;
      }
      done(error, value);
    }),
  );
}
