import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  ServiceUnavailableException,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AuthenticatedUser } from '../../auth/decorators/current-user.decorator.js';
import { LoginAttempts } from '../../auth/session/login-attempts.service.js';
import { AuthMessages } from '../../auth/auth.messages.js';
import { InvalidAccessTokenException } from '../../common/errors/invalid-access-token.exception.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../../common/errors/too-many-requests.exception.js';
import { SecurityLog } from '../../common/logging/security-log.js';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { EmailValidationService } from '../../email-validation/email-validation.service.js';
import { AddressLimits, type AddressSend } from '../../otp/address-limits.service.js';
import { OtpService } from '../../otp/otp.service.js';
import { PasswordHasher } from '../../password/password-hasher.service.js';
import { EMAIL_ALREADY_REGISTERED, UsersService } from '../../users/users.service.js';
import type { EmailChangeStartedResponse, RequestEmailChangeDto } from '../dto/email-change.dto.js';
import { EmailChangeNotifications } from './email-change-notifications.service.js';
import { EmailChangeMessages as M } from './email-change.messages.js';
import { PendingEmailChangeStore } from './pending-email-change.store.js';

/**
 * `POST me/email/`: with the current password, sends a code to the new address and holds the
 * change until it is confirmed. Every check of a registration applies to the new address
 * (syntax, disposable domains, Mailboxlayer, the caps per address), the caps per account too, so
 * that moving on to another address resets nothing. Wrong passwords count against the account's
 * login-failure limit, as for change-password: a stolen access token is no password oracle.
 */
@Injectable()
export class RequestEmailChangeUseCase {
  private readonly logger = new Logger('EmailChange');
  private readonly securityLog = new SecurityLog('EmailChange');
  private readonly ttlSeconds: number;
  private readonly enumerationProtection: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly attempts: LoginAttempts,
    private readonly emailValidation: EmailValidationService,
    private readonly pending: PendingEmailChangeStore,
    private readonly limits: AddressLimits,
    private readonly otp: OtpService,
    private readonly notifications: EmailChangeNotifications,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.ttlSeconds = options.otp.ttl;
    this.enumerationProtection = options.auth.enumerationProtection;
  }

  async execute(
    caller: AuthenticatedUser,
    { new_email: newEmail, password }: RequestEmailChangeDto,
  ): Promise<EmailChangeStartedResponse> {
    const user = await this.users.findById(caller.id);
    if (!user || !user.isActive) throw new InvalidAccessTokenException();

    // The password first: without it, the caller learns nothing of other accounts' addresses.
    await this.attempts.acquire(user.email);
    if (!(await this.hasher.verify(user.passwordHash, password))) {
      this.refused(user.id, 'wrong_password');
      throw new BadRequestException(AuthMessages.currentPasswordIncorrect);
    }
    await this.attempts.succeeded(user.email);

    if (newEmail === user.email) {
      this.refused(user.id, 'same_address');
      throw new BadRequestException(M.sameEmail);
    }
    // With enumeration protection the owner of the address is told by e-mail and the caller
    // gets the usual answer, after the same steps; no code exists, so confirming fails.
    const existingAccount = (await this.users.findByEmail(newEmail)) !== null;
    if (existingAccount && !this.enumerationProtection) {
      this.refused(user.id, 'address_taken');
      throw new ConflictException(EMAIL_ALREADY_REGISTERED);
    }
    if (!(await this.emailValidation.isDeliverable(newEmail))) {
      this.refused(user.id, 'undeliverable');
      throw new BadRequestException(M.invalidEmail);
    }

    const sends = await this.acquireSendSlot(user.id, newEmail);
    const code = this.otp.generate();
    try {
      await this.pending.save(user.id, {
        id: randomUUID(),
        fromEmail: user.email,
        newEmail,
        otpHash: this.otp.hash(newEmail, code),
        expiresAt: Date.now() + this.ttlSeconds * 1000,
        existingAccount: existingAccount || undefined,
      });
      await this.notifications.sendCode(newEmail, code, existingAccount);
    } catch (error) {
      // Nothing stays behind: no pending change, no cooldown, no count against the caps.
      await this.pending.end(user.id);
      await this.release(user.id, sends);
      this.logger.error(`E-mail change code not sent: ${(error as Error).message}`);
      throw new ServiceUnavailableException(M.sendFailed);
    }
    this.securityLog.info('email_change_requested', { user_id: user.id, new_email: newEmail });
    return { message: M.otpSent, expires_in: this.ttlSeconds };
  }

  /**
   * The resend cooldown of the account, then the send caps of the new address and of the
   * account, each of which must also have a wrong guess left. A refusal leaves nothing behind.
   */
  private async acquireSendSlot(userId: string, newEmail: string): Promise<AddressSend> {
    const cooldown = await this.pending.acquireCooldown(userId);
    if (!cooldown.granted) {
      throw this.tooMany(userId, 'cooldown', M.resendCooldown, cooldown.retryAfterMs);
    }
    const sends = await this.limits.acquireSends([newEmail, { account: userId }]);
    if (!sends.granted) {
      await this.pending.releaseCooldown(userId);
      const ofAccount = typeof sends.subject !== 'string';
      const [reason, message] =
        sends.cap === 'sends'
          ? ofAccount
            ? ['account_send_cap', M.accountSendCap]
            : ['address_send_cap', M.addressSendCap]
          : ofAccount
            ? ['account_failure_cap', M.accountFailureCap]
            : ['address_failure_cap', M.addressFailureCap];
      throw this.tooMany(userId, reason, message, sends.retryAfterMs);
    }
    return sends;
  }

  private async release(userId: string, sends: AddressSend): Promise<void> {
    await sends.release();
    await this.pending.releaseCooldown(userId);
  }

  private tooMany(
    userId: string,
    reason: string,
    message: string,
    retryAfterMs: number,
  ): TooManyRequestsException {
    const retryAfter = retryAfterSeconds(retryAfterMs);
    this.refused(userId, reason, retryAfter);
    return new TooManyRequestsException(message, retryAfter);
  }

  private refused(userId: string, reason: string, retryAfter?: number): void {
    this.securityLog.warn('email_change_refused', {
      user_id: userId,
      reason,
      retry_after: retryAfter,
    });
  }
}
