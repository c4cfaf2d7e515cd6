import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import {
  hmacSigningKey,
  KeyFormatError,
  publicJwkOf,
  readPrivateKey,
  readPublicKeys,
  signingKeyOf,
  verificationKeyOf,
  type PublicJwk,
  type SigningKey,
  type VerificationKey,
} from './token-keys.js';

/** The JWK Set served at `/.well-known/jwks.json` (RFC 7517 §5). */
export interface JwkSet {
  keys: PublicJwk[];
}

/**
 * The keys of the configured algorithm: the one that signs, and every one a token may name in
 * its `kid` — the signing key, the next key (published before it signs, so that verifiers have
 * it cached when it does) and the retired keys (accepted until their tokens expire). Each key
 * accepts one algorithm only, fixed by its type, never by the token.
 */
@Injectable()
export class TokenKeyRing {
  /** Signs every new token. */
  readonly signing: SigningKey;
  /** What `/.well-known/jwks.json` publishes; `undefined` with HS256 (a secret is never published). */
  readonly jwks: JwkSet | undefined;
  private readonly byKid = new Map<string, VerificationKey>();
  /** HS256 only: the key for tokens issued before tokens carried a `kid`. */
  private readonly withoutKid: VerificationKey | undefined;

  constructor(@InjectOtpAuthOptions() options: OtpAuthOptions) {
    const auth = options.auth;
    const algorithm = auth.jwtAlgorithm ?? 'HS256';
    if (algorithm === 'HS256') {
      if (auth.jwtNextPrivateKey || auth.jwtPreviousPublicKeys?.length) {
        throw new Error('otp-auth: key rotation needs JWT_ALGORITHM EdDSA or ES256');
      }
      this.signing = hmacSigningKey(auth.jwtSecret);
      this.withoutKid = this.signing;
      this.byKid.set(this.signing.kid, this.signing);
      return;
    }
    const keys = [
      (this.signing = signingKeyOf(read('jwtPrivateKey', auth.jwtPrivateKey, algorithm))),
      ...(auth.jwtNextPrivateKey
        ? [signingKeyOf(read('jwtNextPrivateKey', auth.jwtNextPrivateKey, algorithm))]
        : []),
      ...(auth.jwtPreviousPublicKeys ?? [])
        .flatMap((pem) => explained('jwtPreviousPublicKeys', () => readPublicKeys(pem)))
        .map(verificationKeyOf),
    ];
    for (const key of keys) this.byKid.set(key.kid, { kid: key.kid, alg: key.alg, key: key.key });
    this.jwks = { keys: [...this.byKid.values()].map(publicJwkOf) };
  }

  /**
   * The key a token's header names, if it is one of ours and pinned to the algorithm the header
   * states. A header without `kid` finds the HS256 key only, and only with HS256 configured.
   */
  find(kid: unknown, alg: unknown): VerificationKey | undefined {
    const key = kid === undefined ? this.withoutKid : this.lookup(kid);
    return key?.alg === alg ? key : undefined;
  }

  private lookup(kid: unknown): VerificationKey | undefined {
    return typeof kid === 'string' ? this.byKid.get(kid) : undefined;
  }
}

function read(option: string, pem: string | undefined, algorithm: 'EdDSA' | 'ES256') {
  if (!pem) throw new Error(`otp-auth: auth.${option} is required with ${algorithm}`);
  return explained(option, () => readPrivateKey(pem, algorithm));
}

/** Runs `read`, turning a key format error into one line that names the option. */
function explained<T>(option: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof KeyFormatError)
      throw new Error(`otp-auth: auth.${option} ${error.message}`, { cause: error });
    throw error;
  }
}
