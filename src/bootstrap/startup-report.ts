import { isLoopbackAddress } from '../common/net/loopback-address.js';

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
