import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { EmailValidationService } from '../email-validation/email-validation.service.js';
import { PasswordHasher } from '../password/password-hasher.service.js';
import { PasswordPolicy } from '../password/password-policy.service.js';
import { EMAIL_ALREADY_REGISTERED, UsersService } from '../users/users.service.js';
import type { RegisterDto } from './dto/register.dto.js';
import type { OtpSentResponse } from './dto/registration.responses.js';
import { OtpDispatcher } from './otp-dispatcher.service.js';
import { RegistrationMessages } from './registration.messages.js';

/**
 * `POST register/`: checks the password and the address, then holds the registration (with the
 * password already hashed) until its code is confirmed. Registering again replaces it.
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

  async execute({ email, password, full_name: fullName }: RegisterDto): Promise<OtpSentResponse> {
    const violations = this.policy.violations(password, { email, fullName });
    if (violations.length > 0) throw new BadRequestException(violations);

    // With enumeration protection the owner of an existing account is told by e-mail and the
    // caller gets the usual answer; the same steps run, so the timing matches too.
    const account = await this.users.findByEmail(email);
    const existingAccount = account !== null;
    if (existingAccount && !this.enumerationProtection) {
      throw new ConflictException(EMAIL_ALREADY_REGISTERED);
    }
    if (!(await this.emailValidation.isDeliverable(email))) {
      throw new BadRequestException(RegistrationMessages.invalidEmail);
    }

    await this.dispatcher.acquireSendSlot(email);
    let passwordHash: string;
    try {
      passwordHash = await this.hasher.hash(password);
    } catch (error) {
      await this.dispatcher.release(email);
      throw error;
    }
    const { expiresIn } = await this.dispatcher.issueAndSend({
      email,
      // The owner's notice greets them by their own name: the caller's full_name must not put
      // words into a mail sent to someone else (content spoofing).
      fullName: account?.fullName ?? fullName,
      passwordHash,
      existingAccount: existingAccount || undefined,
    });
    return { message: RegistrationMessages.otpSent, expires_in: expiresIn };
  }
}
