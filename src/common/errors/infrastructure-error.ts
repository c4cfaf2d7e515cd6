/** Error names the Redis client uses when the server is unreachable or slow. */
const REDIS_UNAVAILABLE = new Set([
  'ClientClosedError',
  'ClientOfflineError',
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'TimeoutError',
  'ReconnectStrategyError',
]);

/** Codes of a database (or socket) that does not answer, or is too busy to. */
const DATABASE_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '08000', // connection_exception
  '08001',
  '08003',
  '08006',
  '57014', // query_canceled (statement_timeout)
]);

/**
 * True when an error means a store the request needs (database or Redis) is unavailable: the
 * request then fails closed with 503 instead of a 500, and never proceeds unchecked.
 */
export function isInfrastructureError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (typeof current !== 'object') return false;
    const { name, code, message, driverError, cause } = current as {
      name?: string;
      code?: string;
      message?: string;
      driverError?: unknown;
      cause?: unknown;
    };
    if (name && REDIS_UNAVAILABLE.has(name)) return true;
    if (code && DATABASE_UNAVAILABLE.has(code)) return true;
    if (
      message &&
      /Connection terminated|timeout exceeded when trying to connect|The client is closed/i.test(
        message,
      )
    ) {
      return true;
    }
    current = driverError ?? cause;
  }
  return false;
}
