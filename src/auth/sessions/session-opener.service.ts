import { Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import type { TokenPair } from '../tokens/token-claims.js';
import { TokenService } from '../tokens/token.service.js';
import type { Session } from './session.entity.js';
import { SessionRegistry } from './session.registry.js';
import { SessionRevoker, toRevoke } from './session-revoker.service.js';
import { MAX_USER_AGENT_LENGTH, userAgentLabel } from './user-agent-label.js';

/** Where a login comes from, as the request tells it. */
export interface LoginClient {
  /** `request.ip`: the client address under the app's `TRUST_PROXY` setting. */
  ip: string;
  userAgent?: string;
}

/** Longest address kept: an IPv6 address with an embedded IPv4 one is 45 characters. */
const MAX_IP_LENGTH = 45;

/**
 * Records a login as a session and holds the per-user cap (`SESSIONS_MAX_PER_USER`): beyond it,
 * the least recently used sessions are revoked.
 *
 * Parallel logins cannot leave more than the cap alive: each one inserts its row (committed)
 * before it reads the user's live sessions, and revokes all of them but its own and the
 * `cap - 1` most recently used others. Of parallel logins, the one whose read comes last sees
 * every row inserted before it, its own included, so after its revocations at most `cap` are
 * left; the others can only revoke more, never bring one back.
 */
@Injectable()
export class SessionOpener {
  private readonly cap: number;

  constructor(
    private readonly tokens: TokenService,
    private readonly registry: SessionRegistry,
    private readonly revoker: SessionRevoker,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.cap = options.auth.sessionsMaxPerUser;
  }

  /** Records the session of a pair just issued, and returns its row. */
  async open(pair: TokenPair, client: LoginClient): Promise<Session> {
    // The family, its generation and expiry, read back from the refresh token just signed: the
    // session's facts are then exactly the token's, whatever the signing does.
    const claims = this.tokens.verify(pair.refresh, 'refresh');
    if (!claims) throw new Error('A refresh token just issued does not verify');
    const now = new Date();
    const userAgent = (client.userAgent ?? '').slice(0, MAX_USER_AGENT_LENGTH);
    const session: Session = {
      id: claims.fam,
      userId: claims.sub,
      tokenGeneration: claims.gen,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: new Date(claims.exp * 1000),
      ip: client.ip.slice(0, MAX_IP_LENGTH),
      userAgent,
      label: userAgentLabel(userAgent),
      revokedAt: null,
    };
    await this.registry.open(session);
    const beyondCap = await this.registry.liveBeyond(
      { userId: claims.sub, generation: claims.gen },
      this.cap - 1,
      claims.fam,
    );
    if (beyondCap.length > 0) await this.revoker.revoke(beyondCap.map(toRevoke), 'session_cap');
    return session;
  }
}
