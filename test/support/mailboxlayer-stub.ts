import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stub answers. */
export type MailboxlayerMode =
  | 'deliverable'
  | 'undeliverable' // smtp_check false
  | 'no-mx'
  | 'bad-format'
  | 'disposable'
  | 'quota' // HTTP 200 with success:false, code 104
  | 'invalid-key' // HTTP 200 with success:false, code 101
  | 'http-500'
  | 'timeout' // never answers within the client's timeout
  | 'not-json'
  | 'redirect' // 302 to this stub, where the same question gets a deliverable answer
  | 'oversized'; // a deliverable answer padded past 64 KiB

/** The size of an `oversized` answer. */
export const OVERSIZED_ANSWER_BYTES = 100 * 1024;

/**
 * A loopback HTTP server that answers like Mailboxlayer's `check` API, standing in for the
 * public API the tests cannot reach. Records every request's query.
 */
export class MailboxlayerStub {
  mode: MailboxlayerMode = 'deliverable';
  /** Per-address modes, taking precedence over `mode`. */
  readonly modes = new Map<string, MailboxlayerMode>();
  readonly requests: URLSearchParams[] = [];
  private server?: Server;
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/check`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Requests made for `email`. */
  requestsFor(email: string): URLSearchParams[] {
    return this.requests.filter((query) => query.get('email') === email);
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const query = new URL(request.url ?? '/', 'http://stub').searchParams;
    this.requests.push(query);
    const email = query.get('email') ?? '';
    // Where a redirect leads: a client that follows it is told what it would like to hear.
    const mode = query.has('redirected') ? 'deliverable' : (this.modes.get(email) ?? this.mode);
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const check = (overrides: Record<string, unknown>) =>
      json(200, {
        email,
        did_you_mean: '',
        user: email.split('@')[0],
        domain: email.split('@')[1],
        format_valid: true,
        mx_found: true,
        smtp_check: true,
        catch_all: null,
        role: false,
        disposable: false,
        free: false,
        score: 0.96,
        ...overrides,
      });
    switch (mode) {
      case 'deliverable':
        return check({});
      case 'undeliverable':
        return check({ smtp_check: false, score: 0.32 });
      case 'no-mx':
        return check({ mx_found: false, smtp_check: false });
      case 'bad-format':
        return check({ format_valid: false });
      case 'disposable':
        return check({ disposable: true });
      case 'quota':
        return json(200, {
          success: false,
          error: { code: 104, type: 'usage_limit_reached', info: 'quota' },
        });
      case 'invalid-key':
        return json(200, {
          success: false,
          error: { code: 101, type: 'invalid_access_key', info: 'key' },
        });
      case 'http-500':
        return json(500, { message: 'internal error' });
      case 'not-json':
        response.writeHead(200, { 'content-type': 'text/html' });
        return void response.end('<html>maintenance</html>');
      case 'timeout':
        this.hanging.add(response);
        return;
      case 'redirect':
        response.writeHead(302, { location: `${this.url}?${query.toString()}&redirected=1` });
        return void response.end();
      case 'oversized':
        return check({ padding: 'x'.repeat(OVERSIZED_ANSWER_BYTES) });
    }
  }
}
