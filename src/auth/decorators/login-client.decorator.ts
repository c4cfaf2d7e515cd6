import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { httpRequestOf } from '../../common/http/http-request-of.js';
import type { LoginClient } from '../sessions/session-opener.service.js';

/** The parts of a Fastify or Express request a session records. */
interface ClientRequest {
  ip: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * Where a login comes from: the client address as the app's `TRUST_PROXY` setting resolves it,
 * and the User-Agent. A custom parameter decorator rather than `@Ip()` + `@Headers()`, which
 * Swagger would document as a required `user-agent` parameter of the operation.
 */
export const RequestClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): LoginClient => {
    const request = httpRequestOf<ClientRequest>(context);
    const userAgent = request.headers['user-agent'];
    return { ip: request.ip, userAgent: typeof userAgent === 'string' ? userAgent : undefined };
  },
);
