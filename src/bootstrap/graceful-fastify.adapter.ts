import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { Server } from 'node:http';

/**
 * How long a shutdown waits for the requests in flight before the providers are torn down. Every
 * request is bounded by its own timeouts (database, Redis, SMTP: seconds), so this is only a cap
 * for a request that is stuck; `main.ts` gives the whole shutdown 20 s.
 */
export const DRAIN_TIMEOUT_MS = 15_000;

/**
 * Fastify, shut down in the order a load balancer and a user expect: stop taking requests, let
 * those in flight finish, then let Nest tear down the providers.
 *
 * Nest runs the providers' `onModuleDestroy` hooks before it closes the HTTP server, so a request
 * still in flight could find its resources closed under it (the mailer's SMTP pool closes there):
 * `beforeClose`, which Nest awaits first, waits for the requests in flight. New requests get 503
 * meanwhile (Nest's `return503OnClosing` hook). Responses then close their connection: Fastify
 * closes the keep-alive connections that are idle when it starts closing, but a connection whose
 * request was in flight would stay open after its response, and a keep-alive client (a load
 * balancer) would hold the server open until its keep-alive timeout (72 s).
 */
export class GracefulFastifyAdapter extends FastifyAdapter {
  private shuttingDown = false;
  private inFlight = 0;
  private whenDrained?: () => void;
  /** One listener for every response: it fires once, when the response ends or its socket dies. */
  private readonly responseClosed = (): void => {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.whenDrained?.();
  };

  constructor(options: ConstructorParameters<typeof FastifyAdapter<Server>>[0]) {
    super(options);
    const instance = this.getInstance();
    instance.addHook('onRequest', (_request, reply, done) => {
      this.inFlight += 1;
      reply.raw.on('close', this.responseClosed);
      done();
    });
    instance.addHook('onSend', (_request, reply, payload, done) => {
      if (this.shuttingDown) reply.header('connection', 'close');
      done(null, payload);
    });
  }

  /** Nest awaits this first when the app closes, before the shutdown hooks and the server close. */
  // Nest's HttpServer contract lets beforeClose return a promise, and awaits it; Fastify's
  // adapter only declares the synchronous form.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  override async beforeClose(): Promise<void> {
    this.shuttingDown = true;
    super.beforeClose();
    await this.requestsInFlightDone();
  }

  private requestsInFlightDone(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, DRAIN_TIMEOUT_MS);
      timer.unref();
      this.whenDrained = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
