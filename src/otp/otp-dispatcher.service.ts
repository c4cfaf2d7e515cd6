import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import {
  TooManyRequestsException,
  retryAfterSeconds,
} from '../common/errors/too-many-requests.exception.js';
import { SecurityLog } from '../common/logging/security-log.js';
import { MailTransport } from '../mail/mail-transport.service.js';
import { otpMail } from '../mail/templates/otp.template.js';
import { registrationAttemptMail } from '../mail/templates/registration-attempt.template.js';
import { AddressLimits, type AddressSend } from './address-limits.service.js';
import { OtpService } from './otp.service.js';
import {
  PendingRegistrationStore,
  type RegistrationAttempt,
} from './pending-registration.store.js';
import { RegistrationMessages } from './registration.messages.js';

/** What an attempt holds besides its current code. */
export type AttemptDetails = Omit<RegistrationAttempt, 'otpHash' | 'expiresAt'>;

/** The right to send one code to an address, taken by {@link OtpDispatcher.acquireSendSlot}. */
export interface SendPermit {
  email: string;
  address: AddressSend;
}

/**
 * Issues a fresh code for a registration attempt and e-mails it, under the resend cooldown, the
 * send limit of the pending registration and the caps of the address. A failed send leaves
 * nothing behind: not the attempt, not the cooldown, not a count against the address (an SMTP
 * outage must not lock addresses out), so a retry starts clean. (Only the registration's own send
 * count keeps it, while another attempt of the address is pending.)
 */
@Injectable()
export class OtpDispatcher {
  private readonly logger = new Logger(OtpDispatcher.name);
  private readonly securityLog = new SecurityLog('OtpDispatch');
  private readonly ttlSeconds: number;
  private readonly appUrl: string;

  constructor(
    private readonly otp: OtpService,
    private readonly pending: PendingRegistrationStore,
    private readonly limits: AddressLimits,
    private readonly mail: MailTransport,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.ttlSeconds = options.otp.ttl;
    this.appUrl = options.appUrl;
  }

  /**
   * Throws 429 while the cooldown runs, past the registration's send limit, past the address's
   * send cap, or when the address has no wrong guess left (a code it could not try). A refused
   * send leaves no cooldown and takes nothing from the address's caps; the registration's own send
   * count, which only lasts as long as the registration, keeps it.
   */
  async acquireSendSlot(email: string): Promise<SendPermit> {
    const slot = await this.pending.acquireSendSlot(email);
    if (!slot.granted && slot.reason === 'cooldown') {
      throw this.refuse(email, 'cooldown', RegistrationMessages.resendCooldown, slot.retryAfterMs);
    }
    if (!slot.granted) {
      throw this.refuse(
        email,
        'registration_send_limit',
        RegistrationMessages.sendLimit,
        this.ttlSeconds * 1000,
      );
    }
    const address = await this.limits.acquireSends([email]);
    if (!address.granted) {
      await this.pending.releaseCooldown(email);
      throw address.cap === 'sends'
        ? this.refuse(
            email,
            'address_send_cap',
            RegistrationMessages.addressSendCap,
            address.retryAfterMs,
          )
        : this.refuse(
            email,
            'address_failure_cap',
            RegistrationMessages.addressFailureCap,
            address.retryAfterMs,
          );
    }
    return { email, address };
  }

  /**
   * Gives the attempt a new code, stores it and sends it; call after {@link acquireSendSlot}.
   * The code differs from those of the address's other live attempts, so that a code confirms
   * one attempt only.
   */
  async issueAndSend(slot: SendPermit, details: AttemptDetails): Promise<{ expiresIn: number }> {
    const { email } = details;
    const others = await this.pending.find(email);
    let code = this.otp.generate();
    while (others.some((other) => this.otp.matches(email, code, other.otpHash))) {
      code = this.otp.generate();
    }
    try {
      await this.pending.save({
        ...details,
        otpHash: this.otp.hash(email, code),
        expiresAt: Date.now() + this.ttlSeconds * 1000,
      });
      const content = details.existingAccount
        ? registrationAttemptMail({ appUrl: this.appUrl })
        : otpMail({
            code,
            minutes: Math.ceil(this.ttlSeconds / 60),
            startedAt: new Date(details.createdAt),
          });
      await this.mail.send(email, content);
    } catch (error) {
      await this.pending.remove(email, details.id);
      await this.release(slot);
      this.logger.error(`OTP e-mail not sent: ${(error as Error).message}`);
      throw new ServiceUnavailableException(RegistrationMessages.sendFailed);
    }
    return { expiresIn: this.ttlSeconds };
  }

  /** Gives back a slot taken by {@link acquireSendSlot} when no code went out. */
  async release({ email, address }: SendPermit): Promise<void> {
    await address.release();
    await this.pending.releaseCooldown(email);
  }

  private refuse(
    email: string,
    reason: string,
    message: string,
    retryAfterMs: number,
  ): TooManyRequestsException {
    const retryAfter = retryAfterSeconds(retryAfterMs);
    this.securityLog.warn('otp_send_refused', { email, reason, retry_after: retryAfter });
    return new TooManyRequestsException(message, retryAfter);
  }
}
