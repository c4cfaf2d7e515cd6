/**
 * A backing store (Redis) did not answer, or not in time. Thrown by the store itself, which knows
 * that any failure of its connection means "unavailable": the Redis client's own errors all carry
 * the name `Error`, so they cannot be told apart by name.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

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
    const { code, message, driverError, cause } = current as {
      code?: string;
      message?: string;
      driverError?: unknown;
      cause?: unknown;
    };
    if (current instanceof StoreUnavailableError) return true;
    if (code && DATABASE_UNAVAILABLE.has(code)) return true;
    if (
      message &&
      // node-postgres: a connection lost or refused, a connect or query timeout.
      /Connection terminated|timeout exceeded when trying to connect|Query read timeout|not queryable/i.test(
        message,
      )
    ) {
      return true;
    }
    current = driverError ?? cause;
  }
  return false;
}
