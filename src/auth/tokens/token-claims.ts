/** The three kinds of token; one is never accepted where another is expected. */
export type TokenType = 'access' | 'refresh' | 'reset';

/** Registered claims every token carries. */
interface BaseClaims {
  /** User id. */
  sub: string;
  /** Unique token id: the key of the blacklist. */
  jti: string;
  iat: number;
  exp: number;
  iss: string;
  aud: string;
  token_type: TokenType;
}

/** A session token (access or refresh). */
export interface SessionClaims extends BaseClaims {
  token_type: 'access' | 'refresh';
  /** Token family: the login that started the chain; all its tokens die together. */
  fam: string;
  /** The user's token generation at issue time; raising it revokes every earlier token. */
  gen: number;
}

export interface AccessClaims extends SessionClaims {
  token_type: 'access';
}

export interface RefreshClaims extends SessionClaims {
  token_type: 'refresh';
}

/**
 * A password-reset token, valid only while neither the password nor the address it was mailed to
 * has changed since it was issued.
 */
export interface ResetClaims extends BaseClaims {
  token_type: 'reset';
  /** The user's `password_changed_at` (ms since epoch) when the token was issued. */
  pwd_at: number;
  /**
   * The user's `email_changed_at` (ms since epoch, 0 for never) when the token was issued;
   * absent from tokens issued before the address could change, which count as 0.
   */
  eml_at?: number;
}

export type TokenClaims = AccessClaims | RefreshClaims | ResetClaims;

export type ClaimsOf<T extends TokenType> = Extract<TokenClaims, { token_type: T }>;

/** A signed session: what login, refresh and change-password hand out. */
export interface TokenPair {
  access: string;
  refresh: string;
  /** Seconds until the access token expires. */
  accessExpiresIn: number;
}
