import { BadRequestException, Injectable } from '@nestjs/common';
import type { OtpSentResponse } from './dto/registration.responses.js';
import type { ResendOtpDto } from './dto/resend-otp.dto.js';
import { OtpDispatcher } from './otp-dispatcher.service.js';
import { PendingRegistrationStore } from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST resend-otp/`: a new code replaces the old one and the lifetime restarts; the wrong-guess
 * count does not reset.
 */
@Injectable()
export class ResendOtpUseCase {
  constructor(
    private readonly pending: PendingRegistrationStore,
    private readonly dispatcher: OtpDispatcher,
  ) {}

  async execute({ email }: ResendOtpDto): Promise<OtpSentResponse> {
    const registration = await this.pending.find(email);
    if (!registration) throw new BadRequestException(RegistrationMessages.otpExpiredOrInvalid);

    await this.dispatcher.acquireSendSlot(email);
    const { otpHash: _replaced, ...details } = registration;
    const { expiresIn } = await this.dispatcher.issueAndSend(details);
    return { message: RegistrationMessages.otpSent, expires_in: expiresIn };
  }
}
