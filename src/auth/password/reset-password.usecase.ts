import { BadRequestException, Injectable, Logger } from '@nestjs/common';
import { SecurityLog } from '../../common/logging/security-log.js';
import { OtpAuthEvents } from '../../events/otp-auth-events.service.js';
import { PasswordHasher } from '../../password/password-hasher.service.js';
import { PasswordPolicy } from '../../password/password-policy.service.js';
import { UsersService } from '../../users/users.service.js';
import { AuthMessages } from '../auth.messages.js';
import type { ResetPasswordDto } from '../dto/reset-password.dto.js';
import { TokenRevocationService } from '../revocation/token-revocation.service.js';
import { emailChangedAt, TokenService } from '../tokens/token.service.js';
import { PasswordNotifications } from './password-notifications.service.js';

/**
 * `POST reset-password/`: a reset token works once, and only while the password and the address
 * are the ones it was issued for. The new password, the revocation of every session and the spending of the
 * token land in one conditional UPDATE; the token is blacklisted afterwards as well.
 */
@Injectable()
export class ResetPasswordUseCase {
  private readonly logger = new Logger('ResetPassword');
  private readonly securityLog = new SecurityLog('ResetPassword');

  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly revocation: TokenRevocationService,
    private readonly notifications: PasswordNotifications,
    private readonly events: OtpAuthEvents,
  ) {}

  async execute({
    token,
    new_password: newPassword,
  }: ResetPasswordDto): Promise<{ message: string }> {
    if (!token) throw new BadRequestException(AuthMessages.resetTokenRequired);
    const claims = this.tokens.verify(token, 'reset');
    if (!claims) this.refuse('invalid_token');
    const user = await this.users.findById(claims.sub);
    if (!user || !user.isActive) this.refuse('no_active_account', claims.sub);
    if (
      user.passwordChangedAt.getTime() !== claims.pwd_at ||
      emailChangedAt(user) !== (claims.eml_at ?? 0)
    ) {
      this.refuse('token_spent', user.id);
    }

    // The policy is checked before the token is spent, so a rejected password can be retried.
    const violations = this.policy.violations(newPassword, {
      email: user.email,
      fullName: user.fullName,
    });
    if (violations.length > 0) throw new BadRequestException(violations);
    const passwordHash = await this.hasher.hash(newPassword);

    // One UPDATE sets the new password, revokes every session and spends the token (its
    // `pwd_at` no longer matches), and only if the password is still the one read above: of
    // parallel resets one wins, and a crash leaves either the old password with the token unused
    // or the new one with the token spent, never a mix.
    const claimed = await this.revocation.revokeAllForUser(
      user.id,
      { passwordHash, passwordChangedAt: new Date() },
      { passwordHash: user.passwordHash, isActive: true, email: user.email },
    );
    if (claimed === null) this.refuse('token_spent', user.id);
    // The blacklist records the use. Single use is already decided above, and the password is
    // changed: a failure here is logged, not answered with a 503 for a reset that happened.
    await this.revocation
      .revokeToken({ jti: claims.jti, type: 'reset', userId: user.id, exp: claims.exp }, 'used')
      .catch(() => this.logger.warn('Reset token used but not blacklisted (store unavailable)'));
    this.securityLog.info('password_reset', { user_id: user.id });
    this.notifications.notifyPasswordChanged(user);
    this.events.passwordReset({ userId: user.id, email: user.email });
    return { message: AuthMessages.passwordReset };
  }

  /**
   * Refuses the token, with one answer for every reason (it says nothing of the account), and a
   * log line that tells them apart: `invalid_token` (not a live reset token of ours: tampered,
   * expired, another type), `no_active_account`, `token_spent` (used already, or issued before
   * the latest password or address change).
   */
  private refuse(reason: string, userId?: string): never {
    this.securityLog.warn('password_reset_refused', { reason, user_id: userId });
    throw new BadRequestException(AuthMessages.invalidResetToken);
  }
}
