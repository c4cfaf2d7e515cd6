import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailOptions } from '../config/otp-auth-options.js';

/**
 * Nodemailer SMTP options from `MAIL_URL` (`smtp://user:pass@host:port`, or `smtps://` for
 * implicit TLS), with timeouts of seconds instead of nodemailer's minutes so that a dead server
 * turns into a prompt 503.
 */
export function smtpTransportOptions(mail: MailOptions): SMTPTransport.Options {
  const url = new URL(mail.url ?? '');
  const secure = url.protocol === 'smtps:';
  const flag = (name: string): boolean | undefined => {
    const value = url.searchParams.get(name);
    return value === null ? undefined : value === 'true';
  };
  return {
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
