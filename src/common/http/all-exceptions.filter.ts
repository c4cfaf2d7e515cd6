import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ThrottlerException } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import { isInfrastructureError } from '../errors/infrastructure-error.js';
import {
  BEARER_CHALLENGE,
  INVALID_TOKEN_CHALLENGE,
  InvalidAccessTokenException,
} from '../errors/invalid-access-token.exception.js';
import { TooManyRequestsException } from '../errors/too-many-requests.exception.js';
import { SecurityLog } from '../logging/security-log.js';
import { bodyErrorMessage } from './body-errors.js';

export const SERVICE_UNAVAILABLE = 'Service temporarily unavailable. Please try again later.';

/** The name the `rate_limited` log line gives the per-IP throttle (`RATE_LIMIT_PER_IP`). */
const PER_IP_LIMIT = 'per_ip';

/** The body of every error response: Nest's standard shape, plus an optional extra field. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  [extra: string]: unknown;
}

const REASON_PHRASES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASON_PHRASES[status] ?? 'Error';
}

/** Turns an HttpException into the standard body, whatever shape its response was given in. */
export function httpExceptionBody(exception: HttpException): ErrorBody {
  const status = exception.getStatus();
  const response = exception.getResponse();
  const bodyMessage = bodyErrorMessage(exception.cause);
  if (bodyMessage) return { statusCode: status, error: reasonPhrase(status), message: bodyMessage };
  if (exception instanceof ThrottlerException) {
    return { statusCode: status, error: reasonPhrase(status), message: 'Too Many Requests' };
  }
  if (typeof response === 'string') {
    return { statusCode: status, error: reasonPhrase(status), message: response };
  }
  const body = response as Partial<ErrorBody>;
  return {
    ...body,
    statusCode: status,
    error: typeof body.error === 'string' ? body.error : reasonPhrase(status),
    message: body.message ?? reasonPhrase(status),
  };
}

/**
 * One error shape for everything. Anything that is not an HttpException is logged with an
 * `errorId` and answered as a bare 500 carrying that id: no message, no stack, no internals —
 * except a store that does not answer, which is a 503 (fail closed). Every 401, whoever threw it,
 * carries its `WWW-Authenticate` challenge from here, and every 429 leaves its `rate_limited`
 * security log line from here.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');
  private readonly securityLog = new SecurityLog('RateLimit');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();

    if (exception instanceof HttpException) {
      this.replyWith(exception, host.switchToHttp().getRequest(), response);
      return;
    }

    const errorId = randomUUID();
    const error = exception instanceof Error ? exception : new Error(String(exception));
    if (isInfrastructureError(exception)) {
      this.logger.error(`Store unavailable ${errorId}: ${error.name}: ${error.message}`);
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      httpAdapter.reply(
        response,
        { statusCode: status, error: reasonPhrase(status), message: SERVICE_UNAVAILABLE, errorId },
        status,
      );
      return;
    }
    this.logger.error(`Unhandled error ${errorId}: ${error.name}: ${error.message}`, error.stack);
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    httpAdapter.reply(
      response,
      {
        statusCode: status,
        error: reasonPhrase(status),
        message: 'Internal server error',
        errorId,
      },
      status,
    );
  }

  /** An HttpException's answer: its body, with what its status calls for. */
  private replyWith(exception: HttpException, request: unknown, response: unknown): void {
    const { httpAdapter } = this.adapterHost;
    const status = exception.getStatus() as HttpStatus;
    const body = httpExceptionBody(exception);
    if (status === HttpStatus.UNAUTHORIZED) {
      const challenge =
        exception instanceof InvalidAccessTokenException
          ? INVALID_TOKEN_CHALLENGE
          : BEARER_CHALLENGE;
      httpAdapter.setHeader(response, 'WWW-Authenticate', challenge);
    }
    if (status === HttpStatus.NOT_FOUND) body.message = this.withoutQuery(body.message, request);
    if (exception instanceof TooManyRequestsException && exception.retryAfterSeconds) {
      httpAdapter.setHeader(response, 'Retry-After', String(exception.retryAfterSeconds));
    }
    if (status === HttpStatus.TOO_MANY_REQUESTS) this.logRateLimited(exception, request);
    httpAdapter.reply(response, body, status);
  }

  /**
   * One line per 429, whichever limit answered it: the per-IP throttle (`per_ip`) or a limit of
   * the flows (login failures, OTP sends and guesses), with the route and the client's address
   * (as `TRUST_PROXY` resolves it) but never the query string.
   */
  private logRateLimited(exception: HttpException, request: unknown): void {
    const { httpAdapter } = this.adapterHost;
    this.securityLog.warn('rate_limited', {
      limit:
        exception instanceof TooManyRequestsException
          ? exception.limit
          : exception instanceof ThrottlerException
            ? PER_IP_LIMIT
            : 'unknown',
      method: httpAdapter.getRequestMethod(request) as string,
      path: pathOf(httpAdapter.getRequestUrl(request) as string),
      ip: (request as { ip?: string }).ip,
    });
  }

  /**
   * Nest answers an unknown route with `Cannot GET <url>`, the query string included, where a
   * token may be (`/reset-password?token=…`, the link of a reset e-mail): only the path is kept.
   */
  private withoutQuery(message: ErrorBody['message'], request: unknown): ErrorBody['message'] {
    const { httpAdapter } = this.adapterHost;
    const method = httpAdapter.getRequestMethod(request) as string;
    const url = httpAdapter.getRequestUrl(request) as string;
    return message === `Cannot ${method} ${url}` ? `Cannot ${method} ${pathOf(url)}` : message;
  }
}

/** A request URL without its query string. */
function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
