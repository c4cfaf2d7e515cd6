import { Controller, Get, NotFoundException, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../decorators/public.decorator.js';
import { TokenKeyRing, type JwkSet } from '../tokens/token-key-ring.js';

/**
 * How long verifiers may cache the key set. A key is published for longer than this before it
 * signs (`JWT_NEXT_PRIVATE_KEY`), so every cache holds it by then.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

/** What Fastify's reply and Express's response both offer (a host may run either). */
interface HeaderSetter {
  header(name: string, value: string): unknown;
}

const EXAMPLE: JwkSet = {
  keys: [
    {
      kty: 'OKP',
      crv: 'Ed25519',
      x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
      kid: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
      alg: 'EdDSA',
      use: 'sig',
    },
  ],
};

/**
 * `GET /.well-known/jwks.json`: the public keys that verify otp-auth's tokens, so that another
 * service checks an access token with no shared secret. Served only with an asymmetric
 * `JWT_ALGORITHM`; with HS256 the key is a secret, and the answer is 404.
 */
@ApiTags('Operations')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: TokenKeyRing) {}

  @Get('jwks.json')
  @ApiOperation({
    summary: 'Public keys that verify the tokens (JWK Set)',
    description:
      'The signing key, the next key (published before it signs) and retired keys still ' +
      'accepted, each with its `kid` (RFC 7638 thumbprint), `alg` and `use`. A token names its ' +
      `key in the \`kid\` of its header. Cacheable for ${JWKS_MAX_AGE_SECONDS} seconds. ` +
      'Only with `JWT_ALGORITHM` EdDSA or ES256.',
  })
  @ApiResponse({ status: 200, description: 'The JWK Set (RFC 7517 §5).', example: EXAMPLE })
  @ApiResponse({
    status: 404,
    description: 'Tokens are signed with HS256, whose key is a secret: nothing is published.',
    example: { statusCode: 404, error: 'Not Found', message: 'Not Found' },
  })
  getJwks(@Res({ passthrough: true }) reply: HeaderSetter): JwkSet {
    if (!this.keys.jwks) throw new NotFoundException();
    // On the 200 only (`@Header` would put it on the 404 too): a cache must not keep the 404.
    reply.header('Cache-Control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`);
    return this.keys.jwks;
  }
}
