import { Injectable } from '@nestjs/common';
import type { MailCopyValue } from './templates/mail-template.js';

/** One e-mail as `GET /dev/outbox.json` shows it (SPEC: `{to, subject, text, html, sent_at}`). */
export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

/** One e-mail as the outbox keeps it: with the value to copy, which the HTML page sets apart. */
export interface OutboxEntry extends OutboxMail {
  copy?: MailCopyValue;
}

const OUTBOX_SIZE = 100;

/**
 * The last 100 e-mails, newest first, for people exploring the service without an SMTP server.
 * Exists only outside production and without `MAIL_URL`.
 */
@Injectable()
export class DevOutbox {
  private readonly entries: OutboxEntry[] = [];

  record(mail: Omit<OutboxEntry, 'sent_at'>): void {
    this.entries.unshift({ ...mail, sent_at: new Date().toISOString() });
    if (this.entries.length > OUTBOX_SIZE) this.entries.length = OUTBOX_SIZE;
  }

  /** The mails in the shape of `/dev/outbox.json`, newest first. */
  list(): OutboxMail[] {
    return this.entries.map(({ to, subject, text, html, sent_at }) => ({
      to,
      subject,
      text,
      html,
      sent_at,
    }));
  }

  /** The mails with their value to copy, newest first, for the HTML page. */
  listEntries(): readonly OutboxEntry[] {
    return this.entries;
  }
}
