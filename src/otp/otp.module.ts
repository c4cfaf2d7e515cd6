import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module.js';
import { EmailValidationModule } from '../email-validation/email-validation.module.js';
import { MailModule } from '../mail/mail.module.js';
import { PasswordModule } from '../password/password.module.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { AddressLimits } from './address-limits.service.js';
import { ConfirmOtpUseCase } from './confirm-otp.usecase.js';
import { OtpDispatcher } from './otp-dispatcher.service.js';
import { OtpService } from './otp.service.js';
import { PendingRegistrationStore } from './pending-registration.store.js';
import { RegisterUseCase } from './register.usecase.js';
import { RegistrationController } from './registration.controller.js';
import { ResendOtpUseCase } from './resend-otp.usecase.js';

/** Registration by one-time code: issuing, sending and checking codes; pending registrations. */
@Module({
  imports: [
    EventsModule,
    UsersModule,
    PasswordModule,
    EmailValidationModule,
    MailModule,
    StateModule,
  ],
  controllers: [RegistrationController],
  providers: [
    OtpService,
    PendingRegistrationStore,
    AddressLimits,
    OtpDispatcher,
    RegisterUseCase,
    ConfirmOtpUseCase,
    ResendOtpUseCase,
  ],
  exports: [OtpService, AddressLimits],
})
export class OtpModule {}
