import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type KeyObject,
} from 'node:crypto';

/** The algorithms tokens may be signed with. `HS256` is the default. */
export type JwtAlgorithm = 'HS256' | 'EdDSA' | 'ES256';

/** The algorithms whose public keys can be published: verifiers need no shared secret. */
export type AsymmetricJwtAlgorithm = Exclude<JwtAlgorithm, 'HS256'>;

/** Every accepted value of `JWT_ALGORITHM`. */
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256', 'EdDSA', 'ES256'];

/** A key that verifies tokens: the `kid` tokens name it by, and the one algorithm it accepts. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  /** The public key (the secret with HS256). */
  readonly key: KeyObject;
}

/** The key new tokens are signed with. */
export interface SigningKey extends VerificationKey {
  readonly privateKey: KeyObject;
}

/** A public key as published in the JWK Set (RFC 7517 §4, RFC 8037 for Ed25519). */
export interface PublicJwk {
  kty: 'OKP' | 'EC';
  crv: 'Ed25519' | 'P-256';
  x: string;
  y?: string;
  kid: string;
  alg: AsymmetricJwtAlgorithm;
  use: 'sig';
}

/** A key given in configuration that cannot be used; the message completes "<VARIABLE> …". */
export class KeyFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyFormatError';
  }
}

const NEEDED_KEY: Record<AsymmetricJwtAlgorithm, string> = {
  EdDSA: 'an Ed25519 key',
  ES256: 'an EC P-256 key',
};

/**
 * PEM text with `\n` escapes turned back into line breaks, so that a key fits on one line of an
 * environment file or a container definition.
 */
export function unescapePem(text: string): string {
  return text.replace(/\\n/g, '\n').trim();
}

/** The asymmetric algorithm a key is for, if it is one we sign or verify with. */
export function algorithmOf(key: KeyObject): AsymmetricJwtAlgorithm | undefined {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    return 'ES256';
  return undefined;
}

function describeKey(key: KeyObject): string {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  return `an ${key.asymmetricKeyType ?? 'unknown'}${curve ? ` (${curve})` : ''} key`;
}

/**
 * The private key of an unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) made for `alg`.
 * Throws a {@link KeyFormatError} naming what is wrong.
 */
export function readPrivateKey(pem: string, alg: AsymmetricJwtAlgorithm): KeyObject {
  const text = unescapePem(pem);
  if (!/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----$/.test(text)) {
    throw new KeyFormatError('must be an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: text, format: 'pem' });
  } catch {
    throw new KeyFormatError('is not a readable PEM private key');
  }
  if (algorithmOf(key) !== alg) {
    throw new KeyFormatError(
      `is ${describeKey(key)}, but JWT_ALGORITHM=${alg} needs ${NEEDED_KEY[alg]}`,
    );
  }
  return key;
}

/**
 * The public keys of a list of PEM blocks (`-----BEGIN PUBLIC KEY-----`, SPKI), each Ed25519 or
 * EC P-256. Throws a {@link KeyFormatError} naming what is wrong.
 */
export function readPublicKeys(pems: string): KeyObject[] {
  const blocks = unescapePem(pems).match(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g);
  if (!blocks) {
    throw new KeyFormatError(
      'must hold one or more PEM public keys ("-----BEGIN PUBLIC KEY-----")',
    );
  }
  return blocks.map((block, index) => {
    if (!block.startsWith('-----BEGIN PUBLIC KEY-----')) {
      throw new KeyFormatError(`key ${index + 1} is not a PEM public key ("BEGIN PUBLIC KEY")`);
    }
    let key: KeyObject;
    try {
      key = createPublicKey({ key: block, format: 'pem' });
    } catch {
      throw new KeyFormatError(`key ${index + 1} is not a readable PEM public key`);
    }
    if (!algorithmOf(key)) {
      throw new KeyFormatError(
        `key ${index + 1} is ${describeKey(key)}; only Ed25519 and EC P-256 keys are accepted`,
      );
    }
    return key;
  });
}

/**
 * The key's RFC 7638 JWK thumbprint: SHA-256 over its required members in lexicographic order,
 * base64url. It names the key without telling anything of it a verifier could not compute.
 */
export function thumbprintOf(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const members =
    jwk.kty === 'oct'
      ? { k: jwk.k, kty: jwk.kty }
      : jwk.kty === 'OKP'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

/** A public key as a {@link VerificationKey}, its algorithm pinned by its type. */
export function verificationKeyOf(publicKey: KeyObject): VerificationKey {
  const alg = algorithmOf(publicKey);
  if (!alg) throw new KeyFormatError(`is ${describeKey(publicKey)}; not a signing key`);
  return { kid: thumbprintOf(publicKey), alg, key: publicKey };
}

/** An asymmetric private key as the {@link SigningKey} it is. */
export function signingKeyOf(privateKey: KeyObject): SigningKey {
  return { ...verificationKeyOf(createPublicKey(privateKey)), privateKey };
}

/**
 * The HS256 key as a KeyObject. Imported once: an HMAC over a string secret would import it on
 * every call (jsonwebtoken did: about 1,200 sign+verify/s on one core, against 65,000/s with a
 * KeyObject). The guard runs on every request, so this matters.
 */
export function hmacSigningKey(secret: string): SigningKey {
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return { kid: thumbprintOf(key), alg: 'HS256', key, privateKey: key };
}

/** The key as published in the JWK Set. */
export function publicJwkOf(key: VerificationKey): PublicJwk {
  const { kty, crv, x, y } = key.key.export({ format: 'jwk' });
  const jwk = { kty, crv, x, ...(y === undefined ? {} : { y }) } as PublicJwk;
  return { ...jwk, kid: key.kid, alg: key.alg as AsymmetricJwtAlgorithm, use: 'sig' };
}
