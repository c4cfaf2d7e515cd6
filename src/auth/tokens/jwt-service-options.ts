import type { JwtSignOptions, JwtVerifyOptions } from '@nestjs/jwt';
import { parseDurationSeconds } from '../../config/duration.js';
import type { JsonObject } from './jws-algorithms.js';
import type { JwtAlgorithm } from './token-keys.js';

/** What every token of otp-auth is signed and verified with, fixed by its configuration. */
export interface SignerIdentity {
  alg: JwtAlgorithm;
  kid: string;
  issuer: string;
  audience: string;
}

/**
 * Thrown by otp-auth's `JwtService` for a payload or option it does not take: rather than a token
 * that its own verification would refuse, or a verification looser than otp-auth's.
 */
export class UnsupportedJwtOptionError extends Error {
  constructor(message: string) {
    super(`otp-auth JwtService: ${message}`);
    this.name = 'UnsupportedJwtOptionError';
  }
}

/** The checks `verify` adds to otp-auth's own, from the options it takes. */
export interface VerifyRules {
  subject?: string;
  jwtid?: string;
  /** Header, payload and signature rather than the payload (jsonwebtoken's `complete`). */
  complete: boolean;
  /** `algorithms` leaves out the configured algorithm: every token is refused. */
  algorithmRefused: boolean;
}

type Option<T> = { [K in keyof T]: (value: NonNullable<T[K]>, identity: SignerIdentity) => void };

/** Options whose only accepted value is otp-auth's own: they may state it, never change it. */
const own =
  (name: string, ownValue: (identity: SignerIdentity) => string) =>
  (value: unknown, identity: SignerIdentity) => {
    const expected = ownValue(identity);
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    if (!values.includes(expected)) {
      throw new UnsupportedJwtOptionError(`${name} is always ${JSON.stringify(expected)}`);
    }
  };
const accepted = () => undefined;
/** Options that loosen a check: accepted only with the value that leaves it as it is. */
const only = (name: string, harmless: unknown, why: string) => (value: unknown) => {
  if (value !== harmless) throw new UnsupportedJwtOptionError(`${name} is refused: ${why}`);
};

const SIGN_OPTIONS: Partial<Option<JwtSignOptions>> = {
  algorithm: own('algorithm', (identity) => identity.alg),
  keyid: own('keyid', (identity) => identity.kid),
  issuer: own('issuer', (identity) => identity.issuer),
  audience: own('audience', (identity) => identity.audience),
  expiresIn: accepted,
  notBefore: accepted,
  subject: accepted,
  jwtid: accepted,
  noTimestamp: accepted,
};

const VERIFY_OPTIONS: Partial<Option<JwtVerifyOptions>> = {
  // Every key of the ring has the configured algorithm; a list without it refuses every token.
  algorithms: accepted,
  issuer: own('issuer', (identity) => identity.issuer),
  audience: own('audience', (identity) => identity.audience),
  subject: accepted,
  jwtid: accepted,
  complete: accepted,
  ignoreExpiration: only('ignoreExpiration', false, 'an expired token is never valid'),
  ignoreNotBefore: only('ignoreNotBefore', false, 'a token is not valid before its nbf'),
  clockTolerance: only('clockTolerance', 0, 'expiry is checked to the second'),
};

/** Throws for any option set (not `undefined`) that is not in `known`, or that `known` refuses. */
function check<T extends object>(options: T, known: Partial<Option<T>>, identity: SignerIdentity) {
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (name === 'secret' || name === 'privateKey' || name === 'publicKey') {
      throw new UnsupportedJwtOptionError(
        `${name} is refused: tokens are signed and verified with otp-auth's configured keys only`,
      );
    }
    const rule = (
      known as Record<string, ((value: unknown, identity: SignerIdentity) => void) | undefined>
    )[name];
    if (!rule) throw new UnsupportedJwtOptionError(`the option ${name} is not supported`);
    rule(value, identity);
  }
}

/**
 * The claims to sign for a `sign(payload, options)` of the JwtService interface, with
 * jsonwebtoken's meaning of the options it takes: `iat` added unless given or `noTimestamp`,
 * `expiresIn`/`notBefore` relative to it, `subject`/`jwtid` not both in the payload and options.
 * Issuer and audience are otp-auth's. Refused: a string or Buffer payload, and a token without
 * a numeric `exp` (otp-auth's verification would refuse it).
 */
export function claimsToSign(
  payload: unknown,
  options: JwtSignOptions | undefined,
  identity: SignerIdentity,
): JsonObject {
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    Buffer.isBuffer(payload)
  ) {
    throw new UnsupportedJwtOptionError('the payload must be a JSON object of claims');
  }
  const claims = payload as JsonObject;
  for (const claim of ['iss', 'aud'] as const) {
    const expected = claim === 'iss' ? identity.issuer : identity.audience;
    if (claims[claim] !== undefined && claims[claim] !== expected) {
      throw new UnsupportedJwtOptionError(
        `the ${claim} claim is always ${JSON.stringify(expected)}`,
      );
    }
  }
  let added: JsonObject | undefined;
  if (options) {
    check(options, SIGN_OPTIONS, identity);
    added = optionClaims(claims, options);
  } else if (claims.iat === undefined) {
    added = { iat: Math.floor(Date.now() / 1000) };
  }
  const signed: JsonObject = { ...claims, ...added, iss: identity.issuer, aud: identity.audience };
  if (typeof signed.exp !== 'number') {
    throw new UnsupportedJwtOptionError('a token needs an exp claim or the expiresIn option');
  }
  return signed;
}

function optionClaims(claims: JsonObject, options: JwtSignOptions): JsonObject {
  const added: JsonObject = {};
  const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000);
  if (claims.iat === undefined && !options.noTimestamp) added.iat = iat;
  const fromOptions = [
    [
      'exp',
      'expiresIn',
      options.expiresIn === undefined ? undefined : iat + seconds('expiresIn', options.expiresIn),
    ],
    [
      'nbf',
      'notBefore',
      options.notBefore === undefined ? undefined : iat + seconds('notBefore', options.notBefore),
    ],
    ['sub', 'subject', options.subject],
    ['jti', 'jwtid', options.jwtid],
  ] as const;
  for (const [claim, option, value] of fromOptions) {
    if (value === undefined) continue;
    if (claims[claim] !== undefined) {
      throw new UnsupportedJwtOptionError(
        `the payload has a ${claim} claim and the ${option} option`,
      );
    }
    added[claim] = value;
  }
  return added;
}

/**
 * A time span of the sign options: a number of seconds, or a duration with its unit (`90s`,
 * `15m`, `12h`, `1d`). A string without a unit is refused: jsonwebtoken reads it as milliseconds.
 */
function seconds(option: string, value: string | number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const parsed =
    typeof value === 'string' && /[smhd]$/.test(value) ? parseDurationSeconds(value) : undefined;
  if (parsed === undefined) {
    throw new UnsupportedJwtOptionError(
      `${option} takes a number of seconds or a duration such as "15m" (s, m, h or d)`,
    );
  }
  return parsed;
}

const NO_RULES: VerifyRules = { complete: false, algorithmRefused: false };

/** The extra checks of `verify(token, options)`, after refusing what it does not take. */
export function verifyRulesOf(
  options: JwtVerifyOptions | undefined,
  identity: SignerIdentity,
): VerifyRules {
  if (!options) return NO_RULES;
  check(options, VERIFY_OPTIONS, identity);
  return {
    subject: options.subject,
    jwtid: options.jwtid,
    complete: options.complete === true,
    algorithmRefused:
      options.algorithms !== undefined &&
      !(options.algorithms as readonly string[]).includes(identity.alg),
  };
}
