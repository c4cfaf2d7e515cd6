import { Injectable } from '@nestjs/common';
import {
  createHmac,
  createSign,
  createVerify,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { derToJose, joseToDer } from './ecdsa-signature.js';
import { TokenKeyRing } from './token-key-ring.js';
import type { JwtAlgorithm } from './token-keys.js';

/** A JSON object: what a JWT's header and claims must be. */
export type JsonObject = Record<string, unknown>;

/** How one JWS algorithm (RFC 7518 §3, RFC 8037 §3.1) signs and checks a signing input. */
interface JwsAlgorithm {
  sign(input: string, key: KeyObject): string;
  verify(input: string, signature: string, key: KeyObject): boolean;
}

const ALGORITHMS: Record<JwtAlgorithm, JwsAlgorithm> = {
  HS256: {
    sign: (input, key) => createHmac('sha256', key).update(input).digest('base64url'),
    // The expected signature's text against the given one, in constant time: only the one
    // canonical base64url spelling of the right MAC passes.
    verify: (input, signature, key) => {
      const expected = createHmac('sha256', key).update(input).digest('base64url');
      return (
        signature.length === expected.length &&
        timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
      );
    },
  },
  EdDSA: {
    sign: (input, key) => sign(null, Buffer.from(input), key).toString('base64url'),
    verify: (input, signature, key) => {
      const bytes = signatureBytes(signature, 64);
      return bytes !== undefined && verify(null, Buffer.from(input), key, bytes);
    },
  },
  ES256: {
    // JWS carries ECDSA's r‖s, not the DER that OpenSSL produces (see ecdsa-signature.ts). The
    // streaming Sign/Verify objects: node's one-shot sign() was slower for ECDSA here.
    sign: (input, key) =>
      derToJose(createSign('sha256').update(input).sign(key)).toString('base64url'),
    verify: (input, signature, key) => {
      const bytes = signatureBytes(signature, 64);
      return (
        bytes !== undefined && createVerify('sha256').update(input).verify(key, joseToDer(bytes))
      );
    },
  },
};

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/**
 * Signs and verifies compact JWS tokens (RFC 7515) with node:crypto KeyObjects, for the three
 * algorithms otp-auth offers. It keeps every check jsonwebtoken made for us, and a few more:
 * three base64url segments; a header that is a JSON object naming one of our keys by `kid`
 * (HS256 tokens from before kids: no `kid`) with that key's one algorithm — so `none`, other
 * algorithms and HS256 keyed with a public key are refused; no `crit`; `typ`, if present, `JWT`;
 * the signature checked before the claims are parsed (constant time for HMAC); claims that are a
 * JSON object with our `iss` and `aud`, a numeric `exp` in the future, `nbf` (if present) passed,
 * `iat` (if present) a number. Nothing in a header ever makes it fetch or read a key.
 */
@Injectable()
export class TokenSigner {
  private readonly issuer: string;
  private readonly audience: string;
  /** The encoded header of every new token, made once. */
  private readonly header: string;

  constructor(
    private readonly keys: TokenKeyRing,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.issuer = options.auth.issuer;
    this.audience = options.auth.audience;
    const { alg, kid } = keys.signing;
    this.header = encode({ alg, typ: 'JWT', kid });
  }

  /** A token of `claims` with our issuer and audience, signed with the current key. */
  sign(claims: JsonObject): string {
    const input = `${this.header}.${encode({ ...claims, iss: this.issuer, aud: this.audience })}`;
    const { alg, privateKey } = this.keys.signing;
    return `${input}.${ALGORITHMS[alg].sign(input, privateKey)}`;
  }

  /** The claims of a token that passes every check above, or `null`. */
  verify(token: string): JsonObject | null {
    const [headerPart, payloadPart, signature, ...rest] = token.split('.');
    if (signature === undefined || rest.length > 0) return null;
    const header = decode(headerPart);
    if (!header || header.crit !== undefined) return null;
    if (header.typ !== undefined && !isJwtType(header.typ)) return null;
    const key = this.keys.find(header.kid, header.alg);
    if (!key) return null;
    const input = token.slice(0, headerPart.length + 1 + payloadPart.length);
    if (!ALGORITHMS[key.alg].verify(input, signature, key.key)) return null;
    const claims = decode(payloadPart);
    return claims && this.claimsValid(claims) ? claims : null;
  }

  private claimsValid(claims: JsonObject): boolean {
    const now = Math.floor(Date.now() / 1000);
    const { iss, aud, exp, nbf, iat } = claims;
    if (iss !== this.issuer) return false;
    if (Array.isArray(aud) ? !aud.includes(this.audience) : aud !== this.audience) return false;
    // jsonwebtoken's rules: expired from the second `exp` names on; active from `nbf` on.
    if (typeof exp !== 'number' || now >= exp) return false;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now)) return false;
    return iat === undefined || typeof iat === 'number';
  }
}

/** `typ: JWT`, compared as media types are: without regard to case (RFC 7515 §4.1.9). */
function isJwtType(typ: unknown): boolean {
  return typeof typ === 'string' && typ.toUpperCase() === 'JWT';
}

function encode(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A segment's JSON object, or `undefined` when it is not base64url of a JSON object. */
function decode(segment: string): JsonObject | undefined {
  if (segment.length === 0 || !BASE64URL.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The bytes of a signature segment of `length` bytes in its one canonical base64url spelling,
 * so that no two token strings carry the same signature.
 */
function signatureBytes(segment: string, length: number): Buffer | undefined {
  if (segment.length !== Math.ceil((length * 4) / 3) || !BASE64URL.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.length === length && bytes.toString('base64url') === segment ? bytes : undefined;
}
