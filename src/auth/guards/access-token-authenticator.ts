import { Injectable } from '@nestjs/common';
import { BoundedMap } from '../../common/bounded-map.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import type { StoreKeyOf } from '../decorators/prefetch.decorator.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import type { AccessClaims } from '../tokens/token-claims.js';

/** Access tokens remembered as verified at most; the oldest is forgotten first. */
const MAX_REMEMBERED = 10_000;

/** An access token that passed the full verification, with what each later check needs. */
export interface VerifiedAccessToken {
  readonly claims: AccessClaims;
  /** The caller it authenticates; frozen, being shared by every request that presents it. */
  readonly user: Readonly<AuthenticatedUser>;
  /** The cache keys of its revocation facts, built once (see TokenRevocationService). */
  readonly revocationKeys: readonly string[];
  /** What {@link AccessTokenAuthenticator.authenticate} answers when asked to read nothing else. */
  readonly authentication: Authentication;
  /**
   * The store read of the prefetching route this token called last: its revocation keys and the
   * route's key. Built on the first call and kept while the token calls that route.
   */
  prefetchRead?: { readonly keyOf: StoreKeyOf; readonly keys: readonly string[] };
}

/** A caller whose session is good, with what was read along with the check. */
export interface Authentication {
  readonly user: Readonly<AuthenticatedUser>;
  /** The value at the key asked for (null when absent); undefined when none was asked for. */
  readonly prefetched?: string | null;
}

interface Remembered {
  token: string;
  verified: VerifiedAccessToken;
}

/**
 * The Bearer check after the signature: the revocation check, which runs on every request. It
 * also remembers access tokens that passed the full verification (signature, key and algorithm,
 * issuer, audience, expiry, type), so that a client presenting the same token again skips the
 * signature check and passport (with jsonwebtoken, about a third of a `GET me/`'s CPU time) until
 * the token expires. Only the
 * cryptographic verification is skipped: expiry is checked again and the revocation check
 * always runs.
 *
 * A token is looked up by its signature segment and then compared whole: hashing the 43
 * characters of the signature instead of the whole token, with the same exactness.
 */
@Injectable()
export class AccessTokenAuthenticator {
  private readonly remembered = new BoundedMap<string, Remembered>(MAX_REMEMBERED);

  constructor(private readonly revocation: TokenRevocationService) {}

  /** What the later checks of freshly verified claims need. */
  prepare(claims: AccessClaims): VerifiedAccessToken {
    const user = Object.freeze({
      id: claims.sub,
      jti: claims.jti,
      exp: claims.exp,
      family: claims.fam,
    });
    return {
      claims,
      user,
      revocationKeys: this.revocation.sessionKeys(claims),
      authentication: Object.freeze({ user }),
    };
  }

  /**
   * The caller, or false when the session is revoked; a store failure throws (503). With
   * `keyOf`, the caller's key it names is read in the same store read as the revocation facts
   * (see PrefetchFromStore) and its value comes along.
   */
  async authenticate(
    token: VerifiedAccessToken,
    keyOf?: StoreKeyOf,
  ): Promise<Authentication | false> {
    if (!keyOf) {
      const valid = await this.revocation.isSessionValid(token.claims, token.revocationKeys);
      return valid ? token.authentication : false;
    }
    const factCount = token.revocationKeys.length;
    const values = await this.revocation.readIfSessionValid(
      token.claims,
      prefetchKeys(token, keyOf),
      factCount,
    );
    return values ? { user: token.user, prefetched: values[factCount] ?? null } : false;
  }

  /** Remembers a token whose full verification just succeeded. */
  remember(token: string, verified: VerifiedAccessToken): void {
    this.remembered.set(signatureOf(token), { token, verified });
  }

  /** A token verified before and not expired since, if any. */
  recall(token: string): VerifiedAccessToken | undefined {
    const signature = signatureOf(token);
    const entry = this.remembered.get(signature);
    if (entry?.token !== token) return undefined;
    // TokenSigner's rule: expired from the second `exp` names on.
    if (Math.floor(Date.now() / 1000) >= entry.verified.claims.exp) {
      this.remembered.delete(signature);
      return undefined;
    }
    return entry.verified;
  }
}

/** The token's revocation keys followed by the route's key, built once per token and route. */
function prefetchKeys(token: VerifiedAccessToken, keyOf: StoreKeyOf): readonly string[] {
  if (token.prefetchRead?.keyOf !== keyOf) {
    token.prefetchRead = { keyOf, keys: [...token.revocationKeys, keyOf(token.claims.sub)] };
  }
  return token.prefetchRead.keys;
}

function signatureOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
