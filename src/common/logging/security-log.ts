import { Logger } from '@nestjs/common';

/** The values a security log line may carry: identifiers and reasons, never a secret. */
export type SecurityLogFields = Record<string, string | number | boolean | undefined>;

/**
 * Security events as one structured JSON line each (OWASP Logging Cheat Sheet: authentication
 * and authorization failures, limits hit, changes of credentials and sessions), so that a log
 * pipeline can alert on them by `event`. Fields hold ids, addresses and reasons only: never a
 * password, a code or a token.
 */
export class SecurityLog {
  private readonly logger: Logger;

  /** @param context the Nest logger context the lines carry (`Login`, `TokenRefresh`, …). */
  constructor(context: string) {
    this.logger = new Logger(context);
  }

  /** An event that is part of normal use (a login, a logout). */
  info(event: string, fields: SecurityLogFields = {}): void {
    this.logger.log(JSON.stringify({ event, ...fields }));
  }

  /** An event that may be an attack (a reused refresh token, a limit hit). */
  warn(event: string, fields: SecurityLogFields = {}): void {
    this.logger.warn(JSON.stringify({ event, ...fields }));
  }
}
