import { BadRequestException, HttpStatus, Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { TooManyRequestsException } from '../common/errors/too-many-requests.exception.js';
import { OtpAuthEvents } from '../events/otp-auth-events.service.js';
import { UsersService } from '../users/users.service.js';
import type { ConfirmOtpDto } from './dto/confirm-otp.dto.js';
import type { UserRegisteredResponse } from './dto/registration.responses.js';
import { OtpService } from './otp.service.js';
import { PendingRegistrationStore } from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST confirm-otp/`: a correct code creates the account from the pending registration. Every
 * guess is counted before it is judged; the guess that uses up the last attempt ends the
 * registration.
 */
@Injectable()
export class ConfirmOtpUseCase {
  private readonly maxAttempts: number;

  constructor(
    private readonly pending: PendingRegistrationStore,
    private readonly otp: OtpService,
    private readonly users: UsersService,
    private readonly events: OtpAuthEvents,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.maxAttempts = options.otp.maxAttempts;
  }

  async execute({ email, otp }: ConfirmOtpDto): Promise<UserRegisteredResponse> {
    const slot = await this.pending.acquireGuess(email);
    if (slot.kind === 'no-registration') {
      throw new BadRequestException(RegistrationMessages.otpExpiredOrInvalid);
    }
    if (slot.kind === 'exhausted') {
      throw new TooManyRequestsException(RegistrationMessages.maxAttemptsExceeded);
    }

    const { registration, attempt } = slot;
    const correct =
      !registration.existingAccount && this.otp.matches(email, otp, registration.otpHash);
    if (correct) {
      // The unique e-mail constraint decides between parallel confirmations (the loser: 409).
      const user = await this.users.create(registration);
      await this.pending.delete(email);
      this.events.userRegistered({ userId: user.id, email: user.email, fullName: user.fullName });
      return {
        message: RegistrationMessages.userRegistered,
        user: { id: user.id, email: user.email, full_name: user.fullName },
      };
    }

    const remaining = this.maxAttempts - attempt;
    if (remaining <= 0) {
      await this.pending.endExhausted(email);
      throw new TooManyRequestsException(RegistrationMessages.maxAttemptsExceeded);
    }
    throw new BadRequestException({
      statusCode: HttpStatus.BAD_REQUEST,
      error: 'Bad Request',
      message: RegistrationMessages.invalidOtp,
      attempts_remaining: remaining,
    });
  }
}
