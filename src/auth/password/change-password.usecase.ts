import { BadRequestException, Injectable } from '@nestjs/common';
import { InvalidAccessTokenException } from '../../common/errors/invalid-access-token.exception.js';
import { SecurityLog } from '../../common/logging/security-log.js';
import { PasswordHasher } from '../../password/password-hasher.service.js';
import { PasswordPolicy } from '../../password/password-policy.service.js';
import { UsersService } from '../../users/users.service.js';
import { AuthMessages } from '../auth.messages.js';
import type { AuthenticatedUser } from '../decorators/current-user.decorator.js';
import type { ChangePasswordDto } from '../dto/change-password.dto.js';
import { toTokenPairResponse, type TokenPairResponse } from '../dto/token-pair.response.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { TokenService } from '../tokens/token.service.js';
import { LoginAttempts } from '../session/login-attempts.service.js';
import { PasswordNotifications } from './password-notifications.service.js';

/**
 * `POST change-password/`: every earlier token of the user, the caller's own included, is
 * revoked and a fresh pair returned. Wrong current passwords count against the same
 * per-account limit as failed logins, so a stolen access token cannot brute-force it.
 */
@Injectable()
export class ChangePasswordUseCase {
  private readonly securityLog = new SecurityLog('ChangePassword');

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly tokens: TokenService,
    private readonly revocation: TokenRevocationService,
    private readonly attempts: LoginAttempts,
    private readonly notifications: PasswordNotifications,
  ) {}

  async execute(caller: AuthenticatedUser, dto: ChangePasswordDto): Promise<TokenPairResponse> {
    const user = await this.users.findById(caller.id);
    if (!user || !user.isActive) throw new InvalidAccessTokenException();

    await this.attempts.acquire(user.email);
    if (!(await this.hasher.verify(user.passwordHash, dto.current_password))) {
      this.securityLog.warn('password_change_refused', {
        user_id: user.id,
        reason: 'wrong_current_password',
      });
      throw new BadRequestException(AuthMessages.currentPasswordIncorrect);
    }
    await this.attempts.succeeded(user.email);

    const violations = this.policy.violations(dto.new_password, {
      email: user.email,
      fullName: user.fullName,
    });
    if (violations.length > 0) throw new BadRequestException(violations);
    const passwordHash = await this.hasher.hash(dto.new_password);

    const generation = await this.revocation.revokeAllForUser(user.id, {
      passwordHash,
      passwordChangedAt: new Date(),
    });
    if (generation === null) throw new InvalidAccessTokenException();
    this.securityLog.info('password_changed', { user_id: user.id });
    this.notifications.notifyPasswordChanged(user);
    return toTokenPairResponse(
      this.tokens.issueSession({ id: user.id, tokenGeneration: generation }),
    );
  }
}
