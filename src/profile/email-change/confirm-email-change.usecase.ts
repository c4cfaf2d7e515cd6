import { BadRequestException, ConflictException, HttpStatus, Injectable } from '@nestjs/common';
import type { AuthenticatedUser } from '../../auth/decorators/current-user.decorator.js';
import type { LoginClient } from '../../auth/sessions/session-opener.service.js';
import { userAgentLabel } from '../../auth/sessions/user-agent-label.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../../common/errors/too-many-requests.exception.js';
import { SecurityLog } from '../../common/logging/security-log.js';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { OtpAuthEvents } from '../../events/otp-auth-events.service.js';
import { AddressLimits, type AddressGuess } from '../../otp/address-limits.service.js';
import { OtpService } from '../../otp/otp.service.js';
import { UsersService } from '../../users/users.service.js';
import type { ConfirmEmailChangeDto } from '../dto/email-change.dto.js';
import type { ProfileResponse } from '../dto/profile.response.js';
import { ProfileService } from '../profile.service.js';
import { EmailChangeNotifications } from './email-change-notifications.service.js';
import { EmailChangeMessages as M } from './email-change.messages.js';
import { PendingEmailChangeStore, type PendingEmailChange } from './pending-email-change.store.js';

/**
 * `POST me/email/confirm/`: the code sent to the new address moves the account there. Every
 * guess is counted before it is judged: against the pending change (`OTP_MAX_ATTEMPTS`), the new
 * address and the account (`OTP_MAX_FAILURES_PER_ADDRESS` each); the guess that uses one up ends
 * the change. The switch is a compare-and-set on the address the change was requested from, so
 * of parallel confirmations one switches and the others find nothing left to confirm.
 */
@Injectable()
export class ConfirmEmailChangeUseCase {
  private readonly securityLog = new SecurityLog('EmailChange');
  private readonly maxAttempts: number;

  constructor(
    private readonly pending: PendingEmailChangeStore,
    private readonly limits: AddressLimits,
    private readonly otp: OtpService,
    private readonly users: UsersService,
    private readonly profile: ProfileService,
    private readonly notifications: EmailChangeNotifications,
    private readonly events: OtpAuthEvents,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.maxAttempts = options.otp.maxAttempts;
  }

  async execute(
    caller: AuthenticatedUser,
    { otp }: ConfirmEmailChangeDto,
    client: LoginClient,
  ): Promise<ProfileResponse> {
    const slot = await this.pending.acquireGuess(caller.id);
    if (slot.kind === 'none') throw new BadRequestException(M.otpExpiredOrInvalid);
    if (slot.kind === 'exhausted') {
      this.securityLog.warn('email_change_guess_refused', {
        user_id: caller.id,
        reason: 'max_attempts',
      });
      throw new TooManyRequestsException(M.maxAttemptsExceeded);
    }
    const { change } = slot;
    const guesses = await this.acquireGuesses(caller.id, change.newEmail);

    if (!change.existingAccount && this.otp.matches(change.newEmail, otp, change.otpHash)) {
      for (const guess of guesses) await guess.forgive();
      return this.switchAddress(caller.id, change, client);
    }

    const remaining = Math.min(
      this.maxAttempts - slot.attempt,
      ...guesses.map((guess) => guess.failuresLeft),
    );
    if (remaining <= 0) {
      await this.pending.end(caller.id);
      const [address, account] = guesses;
      if (address.failuresLeft <= 0) {
        throw this.capReached('email_change_attempts_exhausted', caller.id, 'address', address);
      }
      if (account.failuresLeft <= 0) {
        throw this.capReached('email_change_attempts_exhausted', caller.id, 'account', account);
      }
      this.securityLog.warn('email_change_attempts_exhausted', {
        user_id: caller.id,
        reason: 'max_attempts',
      });
      throw new TooManyRequestsException(M.maxAttemptsExceeded);
    }
    this.securityLog.warn('email_change_guess_failed', {
      user_id: caller.id,
      attempts_remaining: remaining,
    });
    throw new BadRequestException({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      message: M.invalidOtp,
      attempts_remaining: remaining,
    });
  }

  /**
   * Counts the guess against the new address and against the account; refused (429) when
   * either has no wrong guess left in the window, and then neither keeps it.
   */
  private async acquireGuesses(
    userId: string,
    newEmail: string,
  ): Promise<[address: AddressGuess, account: AddressGuess]> {
    const address = await this.limits.acquireGuess(newEmail);
    if (!address.granted) {
      await this.pending.end(userId);
      throw this.capReached('email_change_guess_refused', userId, 'address', address);
    }
    const account = await this.limits.acquireGuess({ account: userId });
    if (!account.granted) {
      await address.forgive();
      await this.pending.end(userId);
      throw this.capReached('email_change_guess_refused', userId, 'account', account);
    }
    return [address, account];
  }

  private async switchAddress(
    userId: string,
    change: PendingEmailChange,
    client: LoginClient,
  ): Promise<ProfileResponse> {
    const user = await this.users.findById(userId);
    let switched: boolean;
    try {
      switched =
        user !== null && (await this.users.changeEmail(userId, change.fromEmail, change.newEmail));
    } catch (error) {
      // An account was created with the new address meanwhile (409): this change cannot happen.
      if (error instanceof ConflictException) await this.pending.end(userId);
      throw error;
    }
    // A parallel confirmation switched first (or the account went): nothing is left to confirm.
    if (!user || !switched) throw new BadRequestException(M.otpExpiredOrInvalid);
    await this.pending.delete(userId);
    const profile = await this.profile.refresh(userId);
    const at = new Date();
    this.securityLog.info('email_changed', {
      user_id: userId,
      old_email: change.fromEmail,
      new_email: change.newEmail,
      ip: client.ip,
    });
    this.events.emailChanged({
      userId,
      previousEmail: change.fromEmail,
      email: change.newEmail,
      label: userAgentLabel(client.userAgent),
      ip: client.ip,
      at,
    });
    this.notifications.notifyChanged(
      { email: change.fromEmail, fullName: user.fullName },
      change.newEmail,
      client,
      at,
    );
    return profile;
  }

  /** The 429 of a failure cap (of the address or the account) with no wrong guess left. */
  private capReached(
    event: string,
    userId: string,
    of: 'address' | 'account',
    refused: { retryAfterMs: number },
  ): TooManyRequestsException {
    const retryAfter = retryAfterSeconds(refused.retryAfterMs);
    this.securityLog.warn(event, {
      user_id: userId,
      reason: `${of}_failure_cap`,
      retry_after: retryAfter,
    });
    return new TooManyRequestsException(
      of === 'address' ? M.addressFailureCap : M.accountFailureCap,
      retryAfter,
    );
  }
}
