import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A mail as received and parsed by the sink. */
export interface ReceivedMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Map<string, unknown>;
  /** The SMTP envelope's recipients (`RCPT TO`), which decide who actually gets the mail. */
  envelopeTo: string[];
}

/**
 * A real SMTP server on a loopback port that parses every message it receives. It can be told to
 * refuse messages, to stand in for an SMTP server that is down or rejecting.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = [];
  /** When true, every message is refused with a 451. */
  rejecting = false;
  private readonly waiters = new Set<() => void>();
  private server?: SMTPServer;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Listens on `port` (0: any free port); a fixed port lets a test bring a "down" server back. */
  async start(port = 0): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        if (this.rejecting) {
          stream.resume();
          stream.on('end', () =>
            callback(Object.assign(new Error('try later'), { responseCode: 451 })),
          );
          return;
        }
        simpleParser(stream)
          .then((parsed) => {
            const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
            this.mails.push({
              to: to?.value[0]?.address ?? '',
              from: parsed.from?.value[0]?.address ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              headers: parsed.headers,
              envelopeTo: session.envelope.rcptTo.map((recipient) => recipient.address),
            });
            for (const wake of this.waiters) wake();
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    // A client that dies in the middle of a message (a service killed by a durability test) is
    // reported as an error of the server; a real SMTP server drops that connection and goes on.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** Mails sent to `to`, oldest first. */
  mailsTo(to: string): ReceivedMail[] {
    return this.mails.filter((mail) => mail.to === to.toLowerCase());
  }

  /** Waits for the `count`-th mail to `to` (1 = the first) and returns it. */
  async waitForMail(to: string, count = 1, timeoutMs = 5000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.mailsTo(to).length < count) {
      if (Date.now() > deadline)
        throw new Error(`no mail #${count} to ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          resolve();
        };
        this.waiters.add(wake);
        setTimeout(wake, 50);
      });
    }
    return this.mailsTo(to)[count - 1];
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** The digits of the OTP in a mail: the one run of digits of the configured length. */
export function otpFrom(mail: { text: string }, length = 6): string {
  const match = new RegExp(`\\b(\\d{${length}})\\b`).exec(mail.text);
  if (!match) throw new Error(`no ${length}-digit code in mail: ${mail.text}`);
  return match[1];
}
