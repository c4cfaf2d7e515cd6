import { BadRequestException, Injectable } from '@nestjs/common';
import type { OtpSentResponse } from './dto/registration.responses.js';
import type { ResendOtpDto } from './dto/resend-otp.dto.js';
import { OtpDispatcher } from './otp-dispatcher.service.js';
import { PendingRegistrationStore } from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST resend-otp/`: a new code for one attempt, the one `registration_id` names or else the
 * newest, replaces that attempt's old one and restarts its lifetime; the other attempts keep
 * theirs, and the wrong-guess count does not reset.
 */
@Injectable()
export class ResendOtpUseCase {
  constructor(
    private readonly pending: PendingRegistrationStore,
    private readonly dispatcher: OtpDispatcher,
  ) {}

  async execute({ email, registration_id: id }: ResendOtpDto): Promise<OtpSentResponse> {
    const attempts = await this.pending.find(email);
    const attempt = id === undefined ? attempts.at(-1) : attempts.find((a) => a.id === id);
    if (!attempt) throw new BadRequestException(RegistrationMessages.otpExpiredOrInvalid);

    const slot = await this.dispatcher.acquireSendSlot(email);
    const { otpHash: _replaced, expiresAt: _restarted, ...details } = attempt;
    const { expiresIn } = await this.dispatcher.issueAndSend(slot, details);
    return { message: RegistrationMessages.otpSent, expires_in: expiresIn };
  }
}
