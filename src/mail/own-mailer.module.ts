import type { DynamicModule } from '@nestjs/common';
import { MailerModule, type MailerOptions } from '@nestjs-modules/mailer';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { OTP_AUTH_OPTIONS } from '../core/otp-auth-core.module-definition.js';
import { smtpTransportOptions } from './smtp-transport.options.js';

/**
 * The module's own @nestjs-modules/mailer, from `MAIL_URL`. Left out when the host brings its
 * own (`mailer: 'host'`): the mailer's service is global, and there must be only one.
 */
export function ownMailerModule(): DynamicModule {
  return MailerModule.forRootAsync({
    imports: [],
    inject: [OTP_AUTH_OPTIONS],
    useFactory: (options: OtpAuthOptions): MailerOptions => ({
      // In outbox mode nodemailer only serialises the message; nothing leaves the process.
      transport: options.mail.outboxEnabled
        ? { jsonTransport: true }
        : smtpTransportOptions(options.mail),
      defaults: { from: options.mail.from } as MailerOptions['defaults'],
    }),
  });
}
