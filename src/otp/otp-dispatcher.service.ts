import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../common/errors/too-many-requests.exception.js';
import { MailTransport } from '../mail/mail-transport.service.js';
import { otpMail } from '../mail/templates/otp.template.js';
import { registrationAttemptMail } from '../mail/templates/registration-attempt.template.js';
import { OtpService } from './otp.service.js';
import {
  PendingRegistrationStore,
  type PendingRegistration,
} from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/** What a registration holds besides its code. */
export type RegistrationDetails = Omit<PendingRegistration, 'otpHash'>;

/**
 * Issues a fresh code for a registration and e-mails it, under the resend cooldown and send
 * limit. A failed send leaves nothing behind (no registration, no cooldown), so a retry starts
 * clean.
 */
@Injectable()
export class OtpDispatcher {
  private readonly logger = new Logger(OtpDispatcher.name);
  private readonly ttlSeconds: number;
  private readonly appUrl: string;

  constructor(
    private readonly otp: OtpService,
    private readonly pending: PendingRegistrationStore,
    private readonly mail: MailTransport,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.ttlSeconds = options.otp.ttl;
    this.appUrl = options.appUrl;
  }

  /** Throws 429 while the cooldown runs or past the send limit. */
  async acquireSendSlot(email: string): Promise<void> {
    const slot = await this.pending.acquireSendSlot(email);
    if (slot.granted) return;
    if (slot.reason === 'cooldown') {
      throw new TooManyRequestsException(
        RegistrationMessages.resendCooldown,
        retryAfterSeconds(slot.retryAfterMs),
      );
    }
    throw new TooManyRequestsException(RegistrationMessages.sendLimit, this.ttlSeconds);
  }

  /** Stores the registration with a new code and sends it; call after {@link acquireSendSlot}. */
  async issueAndSend(details: RegistrationDetails): Promise<{ expiresIn: number }> {
    const code = this.otp.generate();
    try {
      await this.pending.save({ ...details, otpHash: this.otp.hash(details.email, code) });
      const minutes = Math.ceil(this.ttlSeconds / 60);
      const content = details.existingAccount
        ? registrationAttemptMail({ fullName: details.fullName, appUrl: this.appUrl })
        : otpMail({ fullName: details.fullName, code, minutes });
      await this.mail.send(details.email, content);
    } catch (error) {
      await this.pending.delete(details.email);
      this.logger.error(`OTP e-mail not sent: ${(error as Error).message}`);
      throw new ServiceUnavailableException(RegistrationMessages.sendFailed);
    }
    return { expiresIn: this.ttlSeconds };
  }

  /** Releases a slot taken by {@link acquireSendSlot} when the request fails before sending. */
  async release(email: string): Promise<void> {
    await this.pending.delete(email);
  }
}
