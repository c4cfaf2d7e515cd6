import { Injectable, Logger } from '@nestjs/common';
import { userAgentLabel } from '../../auth/sessions/user-agent-label.js';
import type { LoginClient } from '../../auth/sessions/session-opener.service.js';
import { maskEmail } from '../../common/mask-email.js';
import type { OtpAuthOptions } from '../../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../../core/otp-auth-core.module-definition.js';
import { MailTransport } from '../../mail/mail-transport.service.js';
import { emailChangeAttemptMail } from '../../mail/templates/email-change-attempt.template.js';
import { emailChangedMail } from '../../mail/templates/email-changed.template.js';
import { mailTime } from '../../mail/templates/mail-time.js';
import { emailChangeCodeMail } from '../../mail/templates/otp.template.js';

/** The e-mail change's mails: the code to the new address, and the alert to the previous one. */
@Injectable()
export class EmailChangeNotifications {
  private readonly logger = new Logger(EmailChangeNotifications.name);
  private readonly minutes: number;

  constructor(
    private readonly mail: MailTransport,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.minutes = Math.ceil(options.otp.ttl / 60);
  }

  /**
   * Sends the code to the new address; with `existingAccount` (enumeration protection on, the
   * address taken) a notice to its owner instead, in the same steps. Throws when not sent.
   */
  async sendCode(newEmail: string, code: string, existingAccount: boolean): Promise<void> {
    await this.mail.send(
      newEmail,
      existingAccount
        ? emailChangeAttemptMail({})
        : emailChangeCodeMail({ code, minutes: this.minutes }),
    );
  }

  /**
   * Tells the previous address what happened, when, from where and on what client. Sent off the
   * request path: a mail failure is logged and never undoes the change.
   */
  notifyChanged(
    previous: { email: string; fullName: string },
    newEmail: string,
    client: LoginClient,
    at: Date,
  ): void {
    const content = emailChangedMail({
      fullName: previous.fullName,
      newEmail: maskEmail(newEmail),
      label: userAgentLabel(client.userAgent),
      ip: client.ip,
      at: mailTime(at),
    });
    setImmediate(() => {
      this.mail
        .send(previous.email, content)
        .catch((error: Error) =>
          this.logger.error(`E-mail-changed alert not sent: ${error.message}`),
        );
    });
  }
}
