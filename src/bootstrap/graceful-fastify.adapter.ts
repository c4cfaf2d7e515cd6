import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';

/**
 * Fastify, with responses that close their connection once the app is shutting down. Fastify
 * closes the keep-alive connections that are idle when it starts closing, but a connection
 * whose request is still in flight stays open after its response, and a keep-alive client (a
 * load balancer) would hold the server open until its keep-alive timeout (72 s).
 */
export class GracefulFastifyAdapter extends FastifyAdapter {
  private shuttingDown = false;

  constructor(options: ConstructorParameters<typeof FastifyAdapter<Server>>[0]) {
    super(options);
    this.getInstance().addHook('onSend', (_request, reply, payload, done) => {
      if (this.shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Nest calls this first when the app closes, before the shutdown hooks and the server close. */
  override beforeClose(): void {
    this.shuttingDown = true;
    super.beforeClose();
  }
}
