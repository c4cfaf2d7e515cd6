import {
  createHmac,
  createPublicKey,
  createSign,
  sign,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { constants } from 'node:crypto';

/** A token made from a genuine one, and what was done to it. */
export interface Forgery {
  name: string;
  token: string;
}

/** What forging takes besides the genuine token. */
export interface ForgeryContext {
  /** The service's own signing secret: for tokens an insider could sign, which must still fail. */
  secret: string;
  /** A genuine token of the same type of another user (for its signature). */
  otherToken: string;
  /** Where a `jku`/`x5u` header points: a server that records whether it was ever fetched. */
  attackerUrl: string;
  /**
   * Signs as the service does, for the insider forgeries (right signature, wrong claims). Given
   * with an asymmetric algorithm; HMAC with `secret` otherwise.
   */
  signRight?: (header: Json, payload: Json) => string;
  /** The service's public key (SPKI PEM) with an asymmetric algorithm: for key confusion. */
  publicKeyPem?: string;
}

type Json = Record<string, unknown>;

/** Signs as the service does with an asymmetric `alg` and its private key (PEM). */
export function asymmetricSigner(
  alg: 'EdDSA' | 'ES256',
  privateKeyPem: string,
): (header: Json, payload: Json) => string {
  return (header, payload) => {
    const signingInput = input(header, payload);
    const signature =
      alg === 'EdDSA'
        ? sign(null, Buffer.from(signingInput), privateKeyPem)
        : sign('sha256', Buffer.from(signingInput), {
            key: privateKeyPem,
            dsaEncoding: 'ieee-p1363',
          });
    return `${signingInput}.${signature.toString('base64url')}`;
  };
}

/** An attacker's own key pairs, made once per process. */
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');

export function base64url(value: Json | string | Buffer): string {
  const bytes = typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value);
  return Buffer.from(bytes).toString('base64url');
}

export function decodePart(part: string): Json {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Json;
}

function input(header: Json, payload: Json): string {
  return `${base64url(header)}.${base64url(payload)}`;
}

/** HMAC-signs a header and payload; the key may be anything, the empty key included. */
export function hmacSigned(
  header: Json,
  payload: Json,
  key: string | Buffer | KeyObject,
  hash = 'sha256',
): string {
  const signingInput = input(header, payload);
  return `${signingInput}.${createHmac(hash, key).update(signingInput).digest('base64url')}`;
}

function rsaSigned(header: Json, payload: Json, pss = false): string {
  const signingInput = input(header, payload);
  const signature = createSign('RSA-SHA256')
    .update(signingInput)
    .sign(
      pss
        ? { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
        : rsa.privateKey,
    );
  return `${signingInput}.${signature.toString('base64url')}`;
}

function ecSigned(header: Json, payload: Json): string {
  const signingInput = input(header, payload);
  const signature = createSign('SHA256')
    .update(signingInput)
    .sign({ key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Flips the lowest bit of the first byte of a base64url string's decoded value. */
function flipBit(part: string): string {
  const bytes = Buffer.from(part, 'base64url');
  bytes[0] ^= 1;
  return bytes.toString('base64url');
}

/**
 * The attack corpus for one genuine token: every way of forging, re-signing, re-encoding or
 * moving a token an attacker has tried against JWT libraries (and a few only an insider holding
 * the secret could make: expired, not yet valid, wrong issuer, audience or type — these must
 * fail too). Each is the genuine token with one thing changed, so a refusal is about that thing.
 * References: RFC 8725 (JWT Best Current Practices) §2–3, and the PortSwigger JWT attack list.
 */
export function forgeriesOf(token: string, context: ForgeryContext): Forgery[] {
  const [headerPart, payloadPart, signature] = token.split('.');
  const header = decodePart(headerPart);
  const claims = decodePart(payloadPart);
  const now = Math.floor(Date.now() / 1000);
  const jwk = { ...rsa.publicKey.export({ format: 'jwk' }), kid: 'attacker', use: 'sig' };
  const rsaPem = rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const rsaDer = rsa.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const withClaims = (changes: Json): Json => {
    const changed = { ...claims, ...changes };
    for (const [key, value] of Object.entries(changes))
      if (value === undefined) delete changed[key];
    return changed;
  };
  const signRight = context.signRight ?? ((h: Json, p: Json) => hmacSigned(h, p, context.secret));
  /** Signed exactly as the service signs: only the claims are wrong. */
  const insider = (changes: Json) => signRight(header, withClaims(changes));
  const otherType = claims.token_type === 'access' ? 'refresh' : 'access';
  const thirdType = ['access', 'refresh', 'reset'].find(
    (type) => type !== claims.token_type && type !== otherType,
  )!;

  return [
    // alg "none" in every spelling: an unsigned token (RFC 8725 §2.1).
    ...['none', 'None', 'NONE', 'nOnE'].map((alg) => ({
      name: `alg ${alg}, no signature`,
      token: `${base64url({ ...header, alg })}.${payloadPart}.`,
    })),
    {
      name: 'alg none, the genuine signature kept',
      token: `${base64url({ ...header, alg: 'none' })}.${payloadPart}.${signature}`,
    },
    { name: 'no alg in the header', token: `${base64url({ typ: 'JWT' })}.${payloadPart}.` },
    // Other algorithms, even with the right secret: only HS256 is accepted (RFC 8725 §3.1).
    {
      name: 'HS384 with the right secret',
      token: hmacSigned({ ...header, alg: 'HS384' }, claims, context.secret, 'sha384'),
    },
    {
      name: 'HS512 with the right secret',
      token: hmacSigned({ ...header, alg: 'HS512' }, claims, context.secret, 'sha512'),
    },
    {
      name: 'RS256 header, HMAC signature with the right secret (algorithm confusion)',
      token: hmacSigned({ ...header, alg: 'RS256' }, claims, context.secret),
    },
    {
      name: "RS256 with the attacker's RSA key",
      token: rsaSigned({ ...header, alg: 'RS256' }, claims),
    },
    {
      name: "PS256 with the attacker's RSA key",
      token: rsaSigned({ ...header, alg: 'PS256' }, claims, true),
    },
    {
      name: "ES256 with the attacker's EC key",
      token: ecSigned({ ...header, alg: 'ES256' }, claims),
    },
    {
      name: "HS256 keyed with the attacker's RSA public key PEM (key confusion)",
      token: hmacSigned(header, claims, rsaPem),
    },
    // Header parameters that tell a naive verifier which key to trust (RFC 8725 §3.10).
    {
      name: "jwk header carrying the attacker's key (CVE-2018-0114)",
      token: rsaSigned({ alg: 'RS256', typ: 'JWT', jwk }, claims),
    },
    {
      name: "jku header pointing at the attacker's key set",
      token: rsaSigned(
        { alg: 'RS256', typ: 'JWT', kid: 'attacker', jku: `${context.attackerUrl}/jwks.json` },
        claims,
      ),
    },
    {
      name: "x5u header pointing at the attacker's certificate",
      token: rsaSigned(
        { alg: 'RS256', typ: 'JWT', x5u: `${context.attackerUrl}/cert.pem` },
        claims,
      ),
    },
    {
      name: "x5c header carrying the attacker's key",
      token: rsaSigned({ alg: 'RS256', typ: 'JWT', x5c: [rsaDer] }, claims),
    },
    {
      name: 'jku header, HS256 signed with a foreign secret',
      token: hmacSigned({ ...header, jku: `${context.attackerUrl}/jwks.json` }, claims, 'attacker'),
    },
    {
      name: 'kid path traversal to /dev/null, signed with an empty key',
      token: hmacSigned(
        { ...header, kid: '../../../../../../../dev/null' },
        claims,
        Buffer.alloc(0),
      ),
    },
    {
      name: 'kid SQL injection selecting a chosen key',
      token: hmacSigned(
        { ...header, kid: "x' UNION SELECT 'attacker-key' -- " },
        claims,
        'attacker-key',
      ),
    },
    {
      name: 'kid naming the development secret file, signed with a foreign secret',
      token: hmacSigned({ ...header, kid: 'data/jwt-secret' }, claims, 'not-the-secret'),
    },
    // Other keys.
    {
      name: 'HS256 with a foreign secret',
      token: hmacSigned(header, claims, `foreign-${randomUUID()}`),
    },
    { name: 'HS256 with an empty secret', token: hmacSigned(header, claims, Buffer.alloc(0)) },
    { name: 'HS256 with the secret "secret"', token: hmacSigned(header, claims, 'secret') },
    {
      name: 'HS256 with the secret plus a newline',
      token: hmacSigned(header, claims, `${context.secret}\n`),
    },
    // The signature stripped, swapped, re-encoded or damaged.
    { name: 'signature stripped', token: `${headerPart}.${payloadPart}.` },
    { name: 'no signature part at all', token: `${headerPart}.${payloadPart}` },
    {
      name: "another token's signature",
      token: `${headerPart}.${payloadPart}.${context.otherToken.split('.')[2]}`,
    },
    {
      name: 'signature re-encoded as padded standard base64',
      token: `${headerPart}.${payloadPart}.${Buffer.from(signature, 'base64url').toString('base64')}`,
    },
    {
      name: 'signature with one bit flipped',
      token: `${headerPart}.${payloadPart}.${flipBit(signature)}`,
    },
    {
      name: 'signature truncated',
      token: `${headerPart}.${payloadPart}.${signature.slice(0, -2)}`,
    },
    {
      name: 'signature of only zero bytes',
      token: `${headerPart}.${payloadPart}.${base64url(Buffer.alloc(32))}`,
    },
    {
      name: 'header re-encoded (same JSON, other bytes), the signature kept',
      token: `${base64url(JSON.stringify(header, null, 1))}.${payloadPart}.${signature}`,
    },
    {
      name: 'payload re-encoded (same claims, other bytes), the signature kept',
      token: `${headerPart}.${base64url(JSON.stringify(claims, null, 1))}.${signature}`,
    },
    {
      name: 'payload with base64 padding added, the signature kept',
      token: `${headerPart}.${payloadPart}=.${signature}`,
    },
    { name: 'a fourth segment', token: `${token}.${signature}` },
    { name: 'two tokens joined', token: `${token}${token}` },
    // The claims edited, the signature kept.
    {
      name: 'sub of another user, the signature kept',
      token: `${headerPart}.${base64url(withClaims({ sub: randomUUID() }))}.${signature}`,
    },
    {
      name: 'exp a year later, the signature kept',
      token: `${headerPart}.${base64url(withClaims({ exp: now + 365 * 86400 }))}.${signature}`,
    },
    {
      name: `token_type ${otherType}, the signature kept`,
      token: `${headerPart}.${base64url(withClaims({ token_type: otherType }))}.${signature}`,
    },
    // Signed with the right secret, the claims wrong: what an insider or a bug could issue.
    { name: 'no exp', token: insider({ exp: undefined }) },
    { name: 'expired a minute ago', token: insider({ iat: now - 120, exp: now - 60 }) },
    { name: 'exp as a string', token: insider({ exp: String(now + 3600) }) },
    { name: 'nbf an hour ahead', token: insider({ nbf: now + 3600 }) },
    { name: 'a wrong issuer', token: insider({ iss: 'https://attacker.example' }) },
    { name: 'a wrong audience', token: insider({ aud: 'someone-else' }) },
    { name: 'a list of wrong audiences', token: insider({ aud: ['someone-else', 'another'] }) },
    { name: 'no issuer or audience', token: insider({ iss: undefined, aud: undefined }) },
    { name: `token_type ${otherType}`, token: insider({ token_type: otherType }) },
    { name: `token_type ${thirdType}`, token: insider({ token_type: thirdType }) },
    {
      name: 'token_type in capitals',
      token: insider({ token_type: String(claims.token_type).toUpperCase() }),
    },
    { name: 'no token_type', token: insider({ token_type: undefined }) },
    { name: 'no jti', token: insider({ jti: undefined }) },
    { name: 'sub of a user that does not exist', token: insider({ sub: randomUUID() }) },
    { name: 'sub as a number', token: insider({ sub: 1 }) },
    ...(claims.token_type === 'reset'
      ? [
          {
            name: 'pwd_at of another password',
            token: insider({ pwd_at: Number(claims.pwd_at) - 1000 }),
          },
          { name: 'no pwd_at', token: insider({ pwd_at: undefined }) },
        ]
      : [
          { name: 'gen of a later generation', token: insider({ gen: Number(claims.gen) + 1 }) },
          { name: 'gen as a string', token: insider({ gen: String(claims.gen) }) },
          { name: 'no fam', token: insider({ fam: undefined }) },
        ]),
    // Not a JWT at all.
    {
      name: 'a payload that is not an object, signed right',
      token: signRight(header, ['not', 'an', 'object'] as unknown as Json),
    },
    {
      name: 'a header that is not JSON',
      token: `${base64url('{"alg":"HS256"')}.${payloadPart}.${signature}`,
    },
    { name: 'three empty segments', token: '..' },
    { name: 'not a JWT', token: 'definitely-not-a-jwt' },
    ...(context.publicKeyPem ? publicKeyForgeries(header, claims, context) : []),
  ];
}

/**
 * With an asymmetric algorithm: what the public key, published to everyone, lets an attacker try
 * (RFC 8725 §2.1 and §3.1: HS256 keyed with the public key; another algorithm under our `kid`),
 * and HS256 with `JWT_SECRET`, which the service still holds for other uses.
 */
function publicKeyForgeries(header: Json, claims: Json, context: ForgeryContext): Forgery[] {
  const pem = context.publicKeyPem!;
  const der = createPublicKey(pem).export({ format: 'der', type: 'spki' });
  const jwk = createPublicKey(pem).export({ format: 'jwk' });
  const noKid = { alg: 'HS256', typ: 'JWT' };
  const hs256 = { ...header, alg: 'HS256' };
  const otherAlg = header.alg === 'EdDSA' ? 'ES256' : 'EdDSA';
  const [, payloadPart, signature] = context.signRight!(header, claims).split('.');
  return [
    { name: 'HS256 keyed with our public key PEM, our kid', token: hmacSigned(hs256, claims, pem) },
    { name: 'HS256 keyed with our public key PEM, no kid', token: hmacSigned(noKid, claims, pem) },
    { name: 'HS256 keyed with our public key DER, our kid', token: hmacSigned(hs256, claims, der) },
    {
      name: "HS256 keyed with our public key's JWK x, our kid",
      token: hmacSigned(hs256, claims, String(jwk.x)),
    },
    { name: 'HS256 with JWT_SECRET, our kid', token: hmacSigned(hs256, claims, context.secret) },
    { name: 'HS256 with JWT_SECRET, no kid', token: hmacSigned(noKid, claims, context.secret) },
    {
      name: `${String(header.alg)} signed right but naming no kid`,
      token: `${base64url({ alg: header.alg, typ: 'JWT' })}.${payloadPart}.${signature}`,
    },
    {
      name: `${otherAlg} under our kid, the genuine signature kept`,
      token: `${base64url({ ...header, alg: otherAlg })}.${payloadPart}.${signature}`,
    },
    {
      name: `${String(header.alg)} with the attacker's own key under our kid`,
      token: attackerSigned(header, claims),
    },
  ];
}

function attackerSigned(header: Json, payload: Json): string {
  const alg = header.alg === 'EdDSA' ? 'EdDSA' : 'ES256';
  const key = (alg === 'EdDSA' ? ed : ec).privateKey.export({ format: 'pem', type: 'pkcs8' });
  return asymmetricSigner(alg, key.toString())(header, payload);
}
