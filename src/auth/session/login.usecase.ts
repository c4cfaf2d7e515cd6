import { Injectable, UnauthorizedException } from '@nestjs/common';
import { TooManyRequestsException } from '../../common/errors/too-many-requests.exception.js';
import { SecurityLog } from '../../common/logging/security-log.js';
import { OtpAuthEvents } from '../../events/otp-auth-events.service.js';
import { PasswordHasher } from '../../password/password-hasher.service.js';
import { UsersService } from '../../users/users.service.js';
import { SecurityAlerts } from '../alerts/security-alerts.service.js';
import { AuthMessages } from '../auth.messages.js';
import type { LoginDto } from '../dto/login.dto.js';
import type { TokenPairResponse } from '../dto/token-pair.response.js';
import { SessionOpener, type LoginClient } from '../sessions/session-opener.service.js';
import { TokenService } from '../tokens/token.service.js';
import { toTokenPairResponse } from '../dto/token-pair.response.js';
import { LoginAttempts } from './login-attempts.service.js';

/**
 * `POST login/`: unknown e-mail, wrong password and deactivated account answer alike, in body
 * and in time (an unknown e-mail still costs one argon2 verification).
 */
@Injectable()
export class LoginUseCase {
  private readonly securityLog = new SecurityLog('Login');

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly attempts: LoginAttempts,
    private readonly events: OtpAuthEvents,
    private readonly sessions: SessionOpener,
    private readonly alerts: SecurityAlerts,
  ) {}

  async execute({ email, password }: LoginDto, client: LoginClient): Promise<TokenPairResponse> {
    await this.acquireAttempt(email);
    const user = await this.users.findByEmail(email);
    const passwordMatches = user
      ? await this.hasher.verify(user.passwordHash, password)
      : (await this.hasher.verifyDummy(password), false);

    if (!user || !passwordMatches || !user.isActive) {
      this.logFailure(
        email,
        !user ? 'unknown_email' : !passwordMatches ? 'wrong_password' : 'inactive',
      );
      throw new UnauthorizedException(AuthMessages.invalidCredentials);
    }
    await this.attempts.succeeded(email);
    this.securityLog.info('login_succeeded', { user_id: user.id });
    this.events.loggedIn({ userId: user.id, email: user.email });
    const pair = this.tokens.issueSession(user);
    const session = await this.sessions.open(pair, client);
    // Decided: the check for a new device runs after the response, off its timing.
    this.alerts.loggedIn(user, session);
    return toTokenPairResponse(pair);
  }

  /**
   * Takes an attempt slot. A login refused because the account is locked out is a failed login
   * too, and the one a brute-force attack produces most: it is logged like the others (OWASP
   * Logging Cheat Sheet, "authentication failures"), or a lockout would leave no trace.
   */
  private async acquireAttempt(email: string): Promise<void> {
    try {
      await this.attempts.acquire(email);
    } catch (error) {
      if (error instanceof TooManyRequestsException) this.logFailure(email, 'too_many_failures');
      throw error;
    }
  }

  private logFailure(email: string, reason: string): void {
    this.securityLog.info('login_failed', { email, reason });
  }
}
