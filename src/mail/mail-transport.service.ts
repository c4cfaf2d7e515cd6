import { Injectable, Logger } from '@nestjs/common';
import { MailerService } from '@nestjs-modules/mailer';
import { withinDeadline } from '../common/within-deadline.js';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';
import { DevOutbox } from './dev-outbox.service.js';
import type { MailContent } from './templates/mail-template.js';

/**
 * Delivers rendered e-mails: through SMTP (@nestjs-modules/mailer), or, in the development
 * outbox mode, to the console and the outbox. Rejects when the SMTP server does not take the
 * message, so callers can tell the user.
 *
 * The SMTP connections are pooled, and the pool queues a mail while all its connections are busy;
 * each connection's own timeouts do not bound that wait (behind a frozen server a queued mail
 * would wait for one timeout per connection ahead of it). So the whole send has a deadline too.
 */
@Injectable()
export class MailTransport {
  private readonly logger = new Logger(MailTransport.name);
  private readonly outboxEnabled: boolean;
  private readonly deadlineMs: number;

  constructor(
    private readonly mailer: MailerService,
    private readonly outbox: DevOutbox,
    @InjectOtpAuthOptions() options: OtpAuthOptions,
  ) {
    this.outboxEnabled = options.mail.outboxEnabled;
    this.deadlineMs = options.mail.timeoutMs;
  }

  async send(to: string, content: MailContent): Promise<void> {
    await withinDeadline(
      this.mailer.sendMail({
        to,
        subject: content.subject,
        text: content.text,
        html: content.html,
      }),
      this.deadlineMs,
    );
    if (this.outboxEnabled) {
      this.outbox.record({ to, ...content });
      // The development outbox is the one place where a code may be shown (SPEC).
      this.logger.log(`[dev outbox] to ${to}: ${content.subject}\n${content.text}`);
    }
  }
}
