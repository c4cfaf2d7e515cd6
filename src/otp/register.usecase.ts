import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { EmailValidationService } from '../email-validation/email-validation.service.js';
import { PasswordHasher } from '../password/password-hasher.service.js';
import { PasswordPolicy } from '../password/password-policy.service.js';
import { EMAIL_ALREADY_REGISTERED, UsersService } from '../users/users.service.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { RegistrationStartedResponse } from './dto/registration.responses.js';
import { OtpDispatcher } from './otp-dispatcher.service.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST register/`: checks the password and the address, then holds the registration attempt
 * (with the password already hashed) until its code is confirmed. Registering again adds an
 * attempt of its own, with its own id, code and password, and replaces none: whoever registers
 * an address someone else is registering cannot put their password on the account that the
 * mailbox owner's code creates.
 */
@Injectable()
export class RegisterUseCase {
  private readonly enumerationProtection: boolean;

  constructor(
    private readonly users: UsersService,
    private readonly policy: PasswordPolicy,
    private readonly hasher: PasswordHasher,
    private readonly emailValidation: EmailValidationService,
    private readonly dispatcher: OtpDispatcher,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.enumerationProtection = options.auth.enumerationProtection;
  }

  async execute({
    email,
    password,
    full_name: fullName,
  }: RegisterDto): Promise<RegistrationStartedResponse> {
    const violations = this.policy.violations(password, { email, fullName });
    if (violations.length > 0) throw new BadRequestException(violations);

    // With enumeration protection the owner of an existing account is told by e-mail and the
    // caller gets the usual answer; the same steps run, so the timing matches too.
    const existingAccount = (await this.users.findByEmail(email)) !== null;
    if (existingAccount && !this.enumerationProtection) {
      throw new ConflictException(EMAIL_ALREADY_REGISTERED);
    }
    if (!(await this.emailValidation.isDeliverable(email))) {
      throw new BadRequestException(RegistrationMessages.invalidEmail);
    }

    const slot = await this.dispatcher.acquireSendSlot(email);
    let passwordHash: string;
    try {
      passwordHash = await this.hasher.hash(password);
    } catch (error) {
      await this.dispatcher.release(slot);
      throw error;
    }
    const id = randomUUID();
    const { expiresIn } = await this.dispatcher.issueAndSend(slot, {
      id,
      email,
      fullName,
      passwordHash,
      createdAt: Date.now(),
      existingAccount: existingAccount || undefined,
    });
    return { message: RegistrationMessages.otpSent, expires_in: expiresIn, registration_id: id };
  }
}
