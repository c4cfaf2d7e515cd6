import { BadRequestException, HttpStatus, Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../common/errors/too-many-requests.exception.js';
import { SecurityLog } from '../common/logging/security-log.js';
import { OtpAuthEvents } from '../events/otp-auth-events.service.js';
import { UsersService } from '../users/users.service.js';
import { AddressLimits } from './address-limits.service.js';
import type { ConfirmOtpDto } from './dto/confirm-otp.dto.js';
import type { UserRegisteredResponse } from './dto/registration.responses.js';
import { OtpService } from './otp.service.js';
import { PendingRegistrationStore } from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST confirm-otp/`: a correct code creates the account from the attempt it was sent for, and
 * ends the address's other attempts. Every guess is counted before it is judged, against the
 * pending registration (`OTP_MAX_ATTEMPTS`) and against the address
 * (`OTP_MAX_FAILURES_PER_ADDRESS`); the guess that uses up either ends the registration.
 */
@Injectable()
export class ConfirmOtpUseCase {
  private readonly securityLog = new SecurityLog('ConfirmOtp');
  private readonly maxAttempts: number;

  constructor(
    private readonly pending: PendingRegistrationStore,
    private readonly limits: AddressLimits,
    private readonly otp: OtpService,
    private readonly users: UsersService,
    private readonly events: OtpAuthEvents,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.maxAttempts = options.otp.maxAttempts;
  }

  async execute({
    email,
    otp,
    registration_id: id,
  }: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    const slot = await this.pending.acquireGuess(email, id);
    if (slot.kind === 'no-registration') {
      throw new BadRequestException(RegistrationMessages.otpExpiredOrInvalid);
    }
    if (slot.kind === 'exhausted') {
      this.securityLog.warn('otp_guess_refused', { email, reason: 'max_attempts' });
      throw new TooManyRequestsException(RegistrationMessages.maxAttemptsExceeded);
    }
    const guess = await this.limits.acquireGuess(email);
    if (!guess.granted) {
      throw this.tooManyFailures('otp_guess_refused', email, guess.retryAfterMs);
    }

    // Every candidate is compared, in constant time each. Codes of one address's attempts are
    // drawn distinct; should two still match (issued at the same instant), the code does not
    // say whose registration it completes, and creates nothing.
    const matches = slot.candidates.filter(
      (attempt) => !attempt.existingAccount && this.otp.matches(email, otp, attempt.otpHash),
    );
    if (matches.length === 1) {
      const [{ fullName, passwordHash }] = matches;
      await guess.forgive();
      // The unique e-mail constraint decides between parallel confirmations (the loser: 409).
      const user = await this.users.create({ email, fullName, passwordHash });
      await this.pending.delete(email);
      this.events.userRegistered({ userId: user.id, email: user.email, fullName: user.fullName });
      return {
        message: RegistrationMessages.userRegistered,
        user: { id: user.id, email: user.email, full_name: user.fullName },
      };
    }

    const remaining = Math.min(this.maxAttempts - slot.attempt, guess.failuresLeft);
    if (remaining <= 0) {
      await this.pending.endExhausted(email);
      if (guess.failuresLeft <= 0) {
        throw this.tooManyFailures('otp_attempts_exhausted', email, guess.retryAfterMs);
      }
      this.securityLog.warn('otp_attempts_exhausted', { email, reason: 'max_attempts' });
      throw new TooManyRequestsException(RegistrationMessages.maxAttemptsExceeded);
    }
    this.securityLog.warn('otp_guess_failed', {
      email,
      registration_id: id,
      attempts_remaining: remaining,
    });
    throw new BadRequestException({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      message: RegistrationMessages.invalidOtp,
      attempts_remaining: remaining,
    });
  }

  /** The 429 of an address with no wrong guess left in the window, logged as `event`. */
  private tooManyFailures(
    event: string,
    email: string,
    retryAfterMs: number,
  ): TooManyRequestsException {
    const retryAfter = retryAfterSeconds(retryAfterMs);
    this.securityLog.warn(event, { email, reason: 'address_failure_cap', retry_after: retryAfter });
    return new TooManyRequestsException(RegistrationMessages.addressFailureCap, retryAfter);
  }
}
