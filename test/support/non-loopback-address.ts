import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** An address of this machine that is not loopback, and how to give it back. */
export interface NonLoopbackAddress {
  address: string;
  /** Removes the address if this helper added it; nothing otherwise. */
  release(): void;
}

/**
 * An IPv4 address of this machine that is not loopback, for tests that need a client the service
 * sees as coming from the network: connecting to it from this machine makes it the socket's
 * peer address. Taken from the network interfaces; on a machine without one (a bare CI
 * container), a TEST-NET-2 address is added to the loopback interface with iproute2's `ip`
 * (needs root) and removed by `release()`. It never skips: where neither works, it throws.
 */
export function nonLoopbackAddress(): NonLoopbackAddress {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const { family, internal, address } of addresses ?? []) {
      if (family === 'IPv4' && !internal && !address.startsWith('169.254.')) {
        return { address, release: () => undefined };
      }
    }
  }
  const address = `198.51.100.${randomInt(2, 255)}`;
  try {
    execFileSync('ip', ['address', 'add', `${address}/32`, 'dev', 'lo'], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(
      `this machine has no non-loopback IPv4 address and none could be added (ip address add ${address}/32 dev lo, as root)`,
      { cause: error },
    );
  }
  return {
    address,
    release: () =>
      execFileSync('ip', ['address', 'del', `${address}/32`, 'dev', 'lo'], { stdio: 'pipe' }),
  };
}
