import {
  createHmac,
  createSign,
  createVerify,
  sign,
  timingSafeEqual,
  verify,
  type KeyObject,
} from 'node:crypto';
import { derToJose, joseToDer } from './ecdsa-signature.js';
import type { JwtAlgorithm } from './token-keys.js';

/** A JSON object: what a JWT's header and claims must be. */
export type JsonObject = Record<string, unknown>;

/** How one JWS algorithm (RFC 7518 §3, RFC 8037 §3.1) signs and checks a signing input. */
interface JwsAlgorithm {
  sign(input: string, key: KeyObject): string;
  verify(input: string, signature: string, key: KeyObject): boolean;
}

/** The three algorithms otp-auth signs with, on node:crypto KeyObjects. */
export const JWS_ALGORITHMS: Record<JwtAlgorithm, JwsAlgorithm> = {
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

/** A JSON object as a base64url segment. */
export function encodeSegment(value: JsonObject): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A segment's JSON object, or `undefined` when it is not base64url of a JSON object. */
export function decodeSegment(segment: string | undefined): JsonObject | undefined {
  if (!segment || !BASE64URL.test(segment)) return undefined;
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
