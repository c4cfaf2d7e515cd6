import { Module } from '@nestjs/common';
import { MailerModule, type MailerOptions } from '@nestjs-modules/mailer';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { OTP_AUTH_OPTIONS } from '../core/otp-auth-core.module-definition.js';
import { DevOutboxController } from './dev-outbox.controller.js';
import { DevOutbox } from './dev-outbox.service.js';
import { MailTransport } from './mail-transport.service.js';
import { smtpTransportOptions } from './smtp-transport.options.js';

/** E-mail delivery: SMTP through @nestjs-modules/mailer, or the development outbox. */
@Module({
  imports: [
    MailerModule.forRootAsync({
      imports: [],
      inject: [OTP_AUTH_OPTIONS],
      useFactory: (options: OtpAuthOptions): MailerOptions => ({
        // In outbox mode nodemailer only serialises the message; nothing leaves the process.
        transport: options.mail.outboxEnabled
          ? { jsonTransport: true }
          : smtpTransportOptions(options.mail),
        defaults: { from: options.mail.from } as MailerOptions['defaults'],
      }),
    }),
  ],
  controllers: [DevOutboxController],
  providers: [DevOutbox, MailTransport],
  exports: [MailTransport],
})
export class MailModule {}
