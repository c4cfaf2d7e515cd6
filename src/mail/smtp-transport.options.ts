import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { MailOptions } from '../config/otp-auth-options.js';

/**
 * Nodemailer SMTP options from `MAIL_URL` (`smtp://user:pass@host:port`, or `smtps://` for
 * implicit TLS), with timeouts of seconds instead of nodemailer's minutes so that a dead server
 * turns into a prompt 503. Pooled: a few connections stay open and are reused, instead of a TCP
 * connection, greeting and EHLO (and a TLS handshake) for every code sent — the larger part of
 * the event loop's time in a registration (server CPU per register + confirm pair ≈ 24.9 → 22.3
 * ms in `npm run bench -- --scenarios pairs`). The pool is closed by the mailer's
 * `onModuleDestroy`, which in the standalone service runs only once the requests in flight have
 * finished (see `GracefulFastifyAdapter`), so no mail is cut off.
 */
export function smtpTransportOptions(mail: MailOptions): SMTPPool.Options {
  const url = new URL(mail.url ?? '');
  const secure = url.protocol === 'smtps:';
  const flag = (name: string): boolean | undefined => {
    const value = url.searchParams.get(name);
    return value === null ? undefined : value === 'true';
  };
  return {
    pool: true,
    maxConnections: 5,
    maxMessages: 100,
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    auth: url.username
      ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
      : undefined,
    ignoreTLS: flag('ignoreTLS'),
    requireTLS: flag('requireTLS'),
    connectionTimeout: mail.timeoutMs,
    greetingTimeout: mail.timeoutMs,
    socketTimeout: mail.timeoutMs,
    dnsTimeout: mail.timeoutMs,
  };
}
