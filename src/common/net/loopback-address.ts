import { BlockList, isIP } from 'node:net';

/** IPv4's 127.0.0.0/8 and IPv6's ::1; BlockList also matches 127.x.x.x mapped into IPv6. */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether `address` (an IP literal, as a socket reports it) is this machine's loopback:
 * 127.0.0.0/8, `::1`, or either written another way (`::ffff:127.0.0.1`, as a dual-stack socket
 * reports an IPv4 peer). A name such as `localhost` is not an address and gives false.
 */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}
