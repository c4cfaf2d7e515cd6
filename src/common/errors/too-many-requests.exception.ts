import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * 429 with the number of seconds to wait, which the exception filter sends as `Retry-After`, and
 * the name of the limit hit, which it logs (`rate_limited`).
 */
export class TooManyRequestsException extends HttpException {
  /**
   * @param limit a short, stable name (`login_failures`); without one, the log line names the
   * limit by its message, which is fixed and secret-free too.
   */
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    readonly limit: string = message,
  ) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, error: 'Too Many Requests', message },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}

/** Whole seconds to wait for a remaining lifetime in milliseconds (at least 1). */
export function retryAfterSeconds(remainingMs: number): number {
  return Math.max(1, Math.ceil(remainingMs / 1000));
}
