import { Injectable } from '@nestjs/common';

/** One e-mail as kept by the development outbox. */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

const OUTBOX_SIZE = 100;

/**
 * The last 100 e-mails, newest first, for people exploring the service without an SMTP server.
 * Exists only outside production and without `MAIL_URL`.
 */
@Injectable()
export class DevOutbox {
  private readonly mails: OutboxMail[] = [];

  record(mail: Omit<OutboxMail, 'sent_at'>): void {
    this.mails.unshift({ ...mail, sent_at: new Date().toISOString() });
    if (this.mails.length > OUTBOX_SIZE) this.mails.length = OUTBOX_SIZE;
  }

  /** Newest first. */
  list(): readonly OutboxMail[] {
    return this.mails;
  }
}
