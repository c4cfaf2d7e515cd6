import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server answers: a status and a body, or nothing at all (to test timeouts). */
export type Reply =
  | { status: number; json: unknown }
  | { status: number; text: string; contentType: string }
  | { hang: true };

/**
 * A loopback HTTP server whose next answers the test sets, recording each request's URL.
 * Hanging requests are destroyed on `stop()`.
 */
export class LoopbackServer {
  reply: Reply = { status: 200, json: {} };
  readonly requests: URL[] = [];
  private readonly server: Server = createServer((request, response) =>
    this.answer(request, response),
  );
  private readonly hanging = new Set<ServerResponse>();

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/check`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    this.requests.push(new URL(request.url ?? '/', 'http://loopback'));
    const reply = this.reply;
    if ('hang' in reply) {
      this.hanging.add(response);
      return;
    }
    if ('json' in reply) {
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply.json));
      return;
    }
    response.writeHead(reply.status, { 'content-type': reply.contentType });
    response.end(reply.text);
  }
}
