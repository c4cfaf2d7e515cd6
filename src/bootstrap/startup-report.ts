import type { AppConfig } from '../config/environment.js';
import { isLoopbackAddress } from '../common/net/loopback-address.js';
import { smtpTransportOptions } from '../mail/smtp-transport.options.js';

/**
 * What an operator should know about a configuration that starts but may not do what they
 * expect: one line each, logged as warnings at startup. (What cannot work is refused instead,
 * by `parseEnvironment`.)
 */
export function startupWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  const { otpAuth } = config;
  if (config.database.type === 'postgres' && otpAuth.redisUrl === undefined) {
    warnings.push(
      'PostgreSQL without REDIS_URL: rate limits, pending registrations and the revocation cache stay in this process, so several instances would not share them; set REDIS_URL before running more than one',
    );
  }
  if (otpAuth.production && otpAuth.mail.url !== undefined) {
    const smtp = smtpTransportOptions(otpAuth.mail);
    if (!smtp.secure && smtp.requireTLS !== true) {
      warnings.push(
        'MAIL_URL does not require TLS: codes and reset links may cross the network in clear text; use smtps:// or add ?requireTLS=true',
      );
    }
  }
  return warnings;
}

/**
 * The startup line saying where the development outbox is read. Only loopback clients get it (see
 * `DevOutboxGuard`), so the URL is a loopback one: 127.0.0.1 when listening on every interface.
 */
export function outboxLocation(host: string, port: number): string {
  const loopback =
    host === '0.0.0.0' || host === '::'
      ? '127.0.0.1'
      : isLoopbackAddress(host)
        ? host.includes(':')
          ? `[${host}]`
          : host
        : host.toLowerCase() === 'localhost'
          ? 'localhost'
          : undefined;
  return loopback === undefined
    ? `Development outbox: answers loopback clients only, and HOST=${host} is not loopback; every mail is in this log too`
    : `Development outbox: http://${loopback}:${port}/dev/outbox`;
}
