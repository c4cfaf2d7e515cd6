import { CanActivate, ExecutionContext, Injectable, NotFoundException } from '@nestjs/common';
import { isLoopbackAddress } from '../common/net/loopback-address.js';
import type { OtpAuthOptions } from '../config/otp-auth-options.js';
import { InjectOtpAuthOptions } from '../core/otp-auth-core.module-definition.js';

/** The parts of a Fastify or Express request this guard reads. */
interface OutboxRequest {
  method: string;
  url: string;
  socket?: { remoteAddress?: string };
}

/**
 * Lets through to the development outbox only when it is on and the client is on this machine,
 * judged by the socket's peer address: the outbox shows codes and reset tokens, and a development
 * service listening on every interface (a laptop on a café's Wi-Fi) would show them to the
 * network. `X-Forwarded-For` is never consulted, whatever `TRUST_PROXY` says: a client writes it.
 * Everyone else gets the 404 of a route that does not exist, word for word (Nest's router says
 * `Cannot GET <url>`), so that the answer does not tell that the outbox is there.
 */
@Injectable()
export class DevOutboxGuard implements CanActivate {
  private readonly enabled: boolean;

  constructor(@InjectOtpAuthOptions() options: OtpAuthOptions) {
    this.enabled = options.mail.outboxEnabled;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<OutboxRequest>();
    const peer = request.socket?.remoteAddress;
    if (!this.enabled || peer === undefined || !isLoopbackAddress(peer)) {
      throw new NotFoundException(`Cannot ${request.method} ${request.url}`);
    }
    return true;
  }
}
