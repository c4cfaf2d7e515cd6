import { Injectable, Logger } from '@nestjs/common';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { MailTransport } from '../../mail/mail-transport.service.js';
import { passwordChangedMail } from '../../mail/templates/password-changed.template.js';
import { passwordResetMail } from '../../mail/templates/password-reset.template.js';
import type { User } from '../../users/user.entity.js';

/** The password e-mails: the reset link, and the notice that the password changed. */
@Injectable()
export class PasswordNotifications {
  private readonly logger = new Logger(PasswordNotifications.name);
  private readonly appUrl: string;
  private readonly resetMinutes: number;

  constructor(
    private readonly mail: MailTransport,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.appUrl = options.appUrl;
    this.resetMinutes = Math.ceil(options.auth.resetTtl / 60);
  }

  /** The link is built from `APP_URL`, never from the request's Host header. */
  async sendResetLink(user: Pick<User, 'email' | 'fullName'>, token: string): Promise<void> {
    const link = `${this.appUrl}/reset-password?token=${encodeURIComponent(token)}`;
    await this.mail.send(
      user.email,
      passwordResetMail({ fullName: user.fullName, link, token, minutes: this.resetMinutes }),
    );
  }

  /** Sent off the request path: a mail failure is logged and never undoes the change. */
  notifyPasswordChanged(user: Pick<User, 'email' | 'fullName'>): void {
    setImmediate(() => {
      this.mail
        .send(user.email, passwordChangedMail({ fullName: user.fullName }))
        .catch((error: Error) =>
          this.logger.error(`Password-changed e-mail not sent: ${error.message}`),
        );
    });
  }
}
