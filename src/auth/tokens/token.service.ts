import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import type { User } from '../../users/user.entity.js';
import { newTokenId } from './token-id.js';
import { TokenSigner } from './token-signer.js';
import type { ClaimsOf, RefreshClaims, TokenPair, TokenType } from './token-claims.js';

/** Longest token string looked at; anything longer is refused before parsing. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * Issues and verifies the three token types through {@link TokenSigner} (which pins the key and
 * its algorithm, the issuer and the audience), and checks the type claim, so a token of one type
 * never passes where another is expected.
 */
@Injectable()
export class TokenService {
  private readonly accessTtl: number;
  private readonly refreshTtl: number;
  private readonly resetTtl: number;

  constructor(
    private readonly signer: TokenSigner,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.accessTtl = options.auth.accessTtl;
    this.refreshTtl = options.auth.refreshTtl;
    this.resetTtl = options.auth.resetTtl;
  }

  /** A new session (token family) for the user, as at login. */
  issueSession(user: Pick<User, 'id' | 'tokenGeneration'>): TokenPair {
    const now = nowSeconds();
    return this.issuePair(user.id, user.tokenGeneration, randomUUID(), now + this.refreshTtl);
  }

  /**
   * The next pair of a family. The refresh token keeps the family's absolute expiry, so rotation
   * never extends a session past `JWT_REFRESH_TTL` after its login.
   */
  rotate(previous: RefreshClaims): TokenPair {
    return this.issuePair(previous.sub, previous.gen, previous.fam, previous.exp);
  }

  issueResetToken(user: Pick<User, 'id' | 'passwordChangedAt' | 'emailChangedAt'>): string {
    const now = nowSeconds();
    return this.signer.sign({
      token_type: 'reset',
      pwd_at: user.passwordChangedAt.getTime(),
      eml_at: emailChangedAt(user),
      iat: now,
      exp: now + this.resetTtl,
      sub: user.id,
      jti: newTokenId(),
    });
  }

  /** The claims of a valid token of the expected type, or `null` for anything else. */
  verify<T extends TokenType>(token: string, type: T): ClaimsOf<T> | null {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
    const claims = this.signer.verifiedClaims(token);
    return isClaimsOf(claims, type) ? claims : null;
  }

  private issuePair(
    userId: string,
    generation: number,
    family: string,
    refreshExp: number,
  ): TokenPair {
    const now = nowSeconds();
    const accessExp = Math.min(now + this.accessTtl, refreshExp);
    const session = { fam: family, gen: generation, iat: now, sub: userId };
    const access = this.signer.sign({
      ...session,
      token_type: 'access',
      exp: accessExp,
      jti: newTokenId(),
    });
    const refresh = this.signer.sign({
      ...session,
      token_type: 'refresh',
      exp: refreshExp,
      jti: newTokenId(),
    });
    return { access, refresh, accessExpiresIn: accessExp - now };
  }
}

/** When the user's address last changed, as reset tokens carry it: ms since epoch, 0 for never. */
export function emailChangedAt(user: Pick<User, 'emailChangedAt'>): number {
  return user.emailChangedAt?.getTime() ?? 0;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Shape check of verified claims, so that a validly signed but odd token is still refused. */
export function isClaimsOf<T extends TokenType>(claims: unknown, type: T): claims is ClaimsOf<T> {
  if (typeof claims !== 'object' || claims === null) return false;
  const c = claims as Record<string, unknown>;
  if (c.token_type !== type) return false;
  if (typeof c.sub !== 'string' || typeof c.jti !== 'string' || typeof c.exp !== 'number')
    return false;
  if (type === 'reset') {
    return typeof c.pwd_at === 'number' && (c.eml_at === undefined || typeof c.eml_at === 'number');
  }
  return typeof c.fam === 'string' && typeof c.gen === 'number';
}
