import { Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import type { AccessClaims } from '../tokens/token-claims.js';

/** Access tokens remembered as verified at most; the oldest is forgotten first. */
const MAX_REMEMBERED = 10_000;

/**
 * The Bearer check after the signature: the revocation check, which runs on every request. It
 * also remembers access tokens that passed the full verification (signature, HS256, issuer,
 * audience, expiry, type), keyed by the exact token string, so that a client presenting the same
 * token again skips jsonwebtoken and passport (about a third of a `GET me/`'s CPU time) until the
 * token expires. Only the cryptographic verification is skipped: expiry is checked again and the
 * revocation check always runs.
 */
@Injectable()
export class AccessTokenAuthenticator {
  private readonly verified = new Map<string, AccessClaims>();

  constructor(private readonly revocation: TokenRevocationService) {}

  /** The caller, or false when the session is revoked; a store failure throws (503). */
  async authenticate(claims: AccessClaims): Promise<AuthenticatedUser | false> {
    if (!(await this.revocation.isSessionValid(claims))) return false;
    return { id: claims.sub, jti: claims.jti, exp: claims.exp, family: claims.fam };
  }

  /** Remembers a token whose full verification just succeeded. */
  remember(token: string, claims: AccessClaims): void {
    if (this.verified.size >= MAX_REMEMBERED) {
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(token, claims);
  }

  /** The claims of a token verified before and not expired since, if any. */
  recall(token: string): AccessClaims | undefined {
    const claims = this.verified.get(token);
    // jsonwebtoken's rule: expired from the second `exp` names on.
    if (claims && Math.floor(Date.now() / 1000) >= claims.exp) {
      this.verified.delete(token);
      return undefined;
    }
    return claims;
  }
}
