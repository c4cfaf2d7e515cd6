import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const CODE_IN_SUBJECT = /^Subject: Your verification code: (\d+)\r?$/m;

/**
 * The SMTP server the benchmarked service sends its mails to, in the bench process. It keeps only
 * the latest code per recipient (read from the subject line, no MIME parsing) so that it costs
 * the shared CPU as little as possible; the code is stored before the server is told 250, so it
 * is there by the time the register response arrives.
 */
export class BenchSmtpSink {
  private readonly codes = new Map<string, string>();
  private server?: SMTPServer;
  received = 0;
  port = 0;

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // The service opens one connection per mail; tens of them may be open at once.
      maxClients: 1000,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received += 1;
          const code = CODE_IN_SUBJECT.exec(Buffer.concat(chunks).toString('latin1'))?.[1];
          const to = session.envelope.rcptTo[0]?.address.toLowerCase();
          if (code && to) this.codes.set(to, code);
          callback();
        });
      },
    });
    // A service stopped in the middle of a message resets its connection; the sink, like a real
    // SMTP server, drops that connection instead of failing the bench.
    this.server.on('error', () => undefined);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** The latest code mailed to `email`, taken (a second call returns undefined). */
  takeCode(email: string): string | undefined {
    const key = email.toLowerCase();
    const code = this.codes.get(key);
    this.codes.delete(key);
    return code;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(resolve) : resolve()));
  }
}
