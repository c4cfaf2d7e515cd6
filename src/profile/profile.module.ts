import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { EmailValidationModule } from '../email-validation/email-validation.module.js';
import { EventsModule } from '../events/events.module.js';
import { MailModule } from '../mail/mail.module.js';
import { OtpModule } from '../otp/otp.module.js';
import { PasswordModule } from '../password/password.module.js';
import { StateModule } from '../state/state.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConfirmEmailChangeUseCase } from './email-change/confirm-email-change.usecase.js';
import { EmailChangeController } from './email-change/email-change.controller.js';
import { EmailChangeNotifications } from './email-change/email-change-notifications.service.js';
import { PendingEmailChangeStore } from './email-change/pending-email-change.store.js';
import { RequestEmailChangeUseCase } from './email-change/request-email-change.usecase.js';
import { ProfileController } from './profile.controller.js';
import { ProfileService } from './profile.service.js';

/** The signed-in user's own account, its e-mail change included. */
@Module({
  imports: [
    UsersModule,
    AuthModule,
    StateModule,
    OtpModule,
    PasswordModule,
    EmailValidationModule,
    MailModule,
    EventsModule,
  ],
  controllers: [ProfileController, EmailChangeController],
  providers: [
    ProfileService,
    PendingEmailChangeStore,
    EmailChangeNotifications,
    RequestEmailChangeUseCase,
    ConfirmEmailChangeUseCase,
  ],
})
export class ProfileModule {}
