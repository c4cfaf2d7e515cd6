import { Inject, Injectable } from '@nestjs/common';
import {
  JsonWebTokenError,
  JwtService,
  NotBeforeError,
  TokenExpiredError,
  type JwtSignOptions,
  type JwtVerifyOptions,
} from '@nestjs/jwt';
import type { DecodeOptions } from 'jsonwebtoken';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { decodeSegment, encodeSegment, JWS_ALGORITHMS, type JsonObject } from './jws-algorithms.js';
import { claimsToSign, verifyRulesOf, type SignerIdentity } from './jwt-service-options.js';
import { TokenKeyRing } from './token-key-ring.js';
import type { VerificationKey } from './token-keys.js';

export type { JsonObject } from './jws-algorithms.js';

/** Why a token was refused, without the cost of an Error on the hot path. */
type Refusal =
  | 'malformed'
  | 'header'
  | 'key'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'expired'
  | 'inactive'
  | 'claims';

/**
 * Header segments remembered at most. Every token we sign has one of a handful of headers (one per
 * key); the bound keeps a client sending variants of a valid header from growing the map.
 */
const MAX_KNOWN_HEADERS = 16;

/** A verified token as `verify(token, { complete: true })` returns it. */
export interface CompleteToken {
  header: JsonObject;
  payload: JsonObject;
  signature: string;
}

/**
 * Signs and verifies compact JWS tokens (RFC 7515) with node:crypto KeyObjects, for the three
 * algorithms otp-auth offers, under @nestjs/jwt's `JwtService` interface (it is provided as
 * `JwtService` too, so a host that injects it gets these rules). It keeps every check
 * jsonwebtoken made for us, and a few more: three base64url segments; a header that is a JSON
 * object naming one of our keys by `kid` (HS256 tokens from before kids: no `kid`) with that
 * key's one algorithm — so `none`, other algorithms and HS256 keyed with a public key are
 * refused; no `crit`; `typ`, if present, `JWT`; the signature checked before the claims are
 * parsed (constant time for HMAC); claims that are a JSON object with our `iss` and `aud`, a
 * numeric `exp` in the future, `nbf` (if present) passed, `iat` (if present) a number. Nothing
 * in a header ever makes it fetch or read a key, and no option chooses another key or loosens a
 * check (see jwt-service-options.ts).
 */
@Injectable()
export class TokenSigner extends JwtService {
  private readonly identity: SignerIdentity;
  /** The encoded header of every new token, made once. */
  private readonly header: string;
  /**
   * Header segments that passed the header checks, with the key each names: a token's header is
   * decoded and checked once, not on every verification.
   */
  private readonly knownHeaders = new Map<string, VerificationKey>();

  constructor(
    // Named explicitly: Nest inherits the parameter tokens JwtService declares
    // (`@Inject(JWT_MODULE_OPTIONS)` on the first), and an explicit one overrides it.
    @Inject(TokenKeyRing) private readonly keys: TokenKeyRing,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    // No options for the base class: every method of its interface is overridden below, and
    // were one of its own ever reached, jsonwebtoken would find no key and refuse.
    super();
    const { alg, kid } = keys.signing;
    this.identity = { alg, kid, issuer: options.auth.issuer, audience: options.auth.audience };
    this.header = encodeSegment({ alg, typ: 'JWT', kid });
  }

  /**
   * A token of `payload` with our issuer and audience, signed with the current key. Takes a
   * JSON object of claims with an `exp` (or `expiresIn`), and of jsonwebtoken's options those
   * that keep otp-auth's rules; anything else throws an `UnsupportedJwtOptionError`.
   */
  override sign(payload: string | Buffer | object, options?: JwtSignOptions): string {
    const claims = claimsToSign(payload, options, this.identity);
    const input = `${this.header}.${encodeSegment(claims)}`;
    const { alg, privateKey } = this.keys.signing;
    return `${input}.${JWS_ALGORITHMS[alg].sign(input, privateKey)}`;
  }

  /** {@link sign}, as a promise. */
  override signAsync(payload: string | Buffer | object, options?: JwtSignOptions): Promise<string> {
    return new Promise((resolve) => resolve(this.sign(payload, options)));
  }

  /**
   * The claims of a token that passes every check above, or throws as jsonwebtoken does:
   * `TokenExpiredError`, `NotBeforeError` or `JsonWebTokenError` (all from @nestjs/jwt). Options
   * may add checks (`subject`, `jwtid`, `algorithms`) or state ours (`issuer`, `audience`);
   * those that would loosen one throw an `UnsupportedJwtOptionError`.
   */
  override verify<T extends object = JsonObject>(token: string, options?: JwtVerifyOptions): T {
    const rules = verifyRulesOf(options, this.identity);
    if (rules.algorithmRefused) throw new JsonWebTokenError('invalid algorithm');
    const claims = this.check(token);
    if (typeof claims === 'string') throw refusalError(claims, token);
    for (const [claim, expected] of [
      ['sub', rules.subject],
      ['jti', rules.jwtid],
    ] as const) {
      if (expected !== undefined && claims[claim] !== expected) {
        throw new JsonWebTokenError(
          `jwt ${claim === 'sub' ? 'subject' : 'jwtid'} invalid. expected: ${expected}`,
        );
      }
    }
    if (!rules.complete) return claims as T;
    const [header, , signature] = token.split('.');
    return { header: decodeSegment(header), payload: claims, signature } as T;
  }

  /** {@link verify}, as a promise. */
  override verifyAsync<T extends object = JsonObject>(
    token: string,
    options?: JwtVerifyOptions,
  ): Promise<T> {
    return new Promise((resolve) => resolve(this.verify<T>(token, options)));
  }

  /**
   * The claims of a token, or with `complete` its header, claims and signature, WITHOUT any
   * check; `null` unless header and claims are JSON objects. Never a reason to trust a token.
   */
  override decode<T = JsonObject>(token: string, options?: DecodeOptions): T {
    const [header, payload, signature, ...rest] = token.split('.');
    const decoded = { header: decodeSegment(header), payload: decodeSegment(payload), signature };
    if (!decoded.header || !decoded.payload || signature === undefined || rest.length > 0) {
      return null as T;
    }
    return (options?.complete ? decoded : decoded.payload) as T;
  }

  /**
   * The claims of a token that passes every check above, or `null`: the form of {@link verify}
   * for the request path, which costs no Error for a refused token.
   */
  verifiedClaims(token: string): JsonObject | null {
    const claims = this.check(token);
    return typeof claims === 'string' ? null : claims;
  }

  private check(token: string): JsonObject | Refusal {
    const [headerPart, payloadPart, signature, ...rest] = token.split('.');
    if (signature === undefined || rest.length > 0) return 'malformed';
    const key = this.knownHeaders.get(headerPart) ?? this.keyOfHeader(headerPart);
    if (typeof key === 'string') return key;
    const input = token.slice(0, headerPart.length + 1 + payloadPart.length);
    if (!JWS_ALGORITHMS[key.alg].verify(input, signature, key.key)) return 'signature';
    const claims = decodeSegment(payloadPart);
    if (!claims) return 'claims';
    return this.claimsRefusal(claims) ?? claims;
  }

  /** The key a header segment names, once its checks pass; remembered for the next token. */
  private keyOfHeader(headerPart: string): VerificationKey | Refusal {
    const header = decodeSegment(headerPart);
    if (!header || header.crit !== undefined) return 'header';
    if (header.typ !== undefined && !isJwtType(header.typ)) return 'header';
    const key = this.keys.find(header.kid, header.alg);
    if (!key) return 'key';
    if (this.knownHeaders.size < MAX_KNOWN_HEADERS) this.knownHeaders.set(headerPart, key);
    return key;
  }

  private claimsRefusal(claims: JsonObject): Refusal | undefined {
    const now = Math.floor(Date.now() / 1000);
    const { iss, aud, exp, nbf, iat } = claims;
    const { issuer, audience } = this.identity;
    if (iss !== issuer) return 'issuer';
    if (Array.isArray(aud) ? !aud.includes(audience) : aud !== audience) return 'audience';
    // jsonwebtoken's rules: expired from the second `exp` names on; active from `nbf` on.
    if (typeof exp !== 'number') return 'claims';
    if (now >= exp) return 'expired';
    if (nbf !== undefined && typeof nbf !== 'number') return 'claims';
    if (typeof nbf === 'number' && nbf > now) return 'inactive';
    return iat === undefined || typeof iat === 'number' ? undefined : 'claims';
  }
}

/** `typ: JWT`, compared as media types are: without regard to case (RFC 7515 §4.1.9). */
function isJwtType(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toUpperCase() === 'JWT';
}

/**
 * The error jsonwebtoken throws for the same refusal. Expiry and activation are only reported
 * once the signature passed, so their dates come from claims that are ours.
 */
function refusalError(refusal: Refusal, token: string): JsonWebTokenError {
  const claims = () => decodeSegment(token.split('.')[1]) ?? {};
  switch (refusal) {
    case 'expired':
      return new TokenExpiredError('jwt expired', new Date(Number(claims().exp) * 1000));
    case 'inactive':
      return new NotBeforeError('jwt not active', new Date(Number(claims().nbf) * 1000));
    case 'malformed':
      return new JsonWebTokenError('jwt malformed');
    case 'signature':
      return new JsonWebTokenError('invalid signature');
    case 'issuer':
    case 'audience':
      return new JsonWebTokenError(`jwt ${refusal} invalid`);
    default:
      return new JsonWebTokenError(`invalid token (${refusal})`);
  }
}
