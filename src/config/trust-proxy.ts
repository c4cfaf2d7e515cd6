import { isIP } from 'node:net';

/**
 * Which proxies in front of the service are trusted to report the client's address in
 * `X-Forwarded-For`, in the forms Fastify's `trustProxy` takes:
 * - `false`: none; the client is the socket's peer and the header is ignored;
 * - a hop count: that many proxies in front; the client is the address the nearest of them saw;
 * - addresses and CIDR ranges: the proxies themselves; the client is the last address in the
 *   chain that is not one of them.
 * Never `true`, which would take the first entry of the header: one the client writes itself.
 * https://fastify.dev/docs/latest/Reference/Server/#trustproxy
 */
export type TrustProxy = false | number | string[];

/** More hops than this is a typo, not a deployment. */
export const MAX_PROXY_HOPS = 10;

const TRUST_ALL = new Set(['true', 'yes', 'on']);
const TRUST_NONE = new Set(['false', 'no', 'off', '0']);

/** `TRUST_PROXY` read into {@link TrustProxy}, with one line per problem. */
export function parseTrustProxy(raw: string | undefined): {
  trustProxy: TrustProxy;
  problems: string[];
} {
  const value = raw?.trim().toLowerCase() ?? '';
  if (value === '' || TRUST_NONE.has(value)) return { trustProxy: false, problems: [] };
  if (TRUST_ALL.has(value)) {
    return {
      trustProxy: false,
      problems: [
        `TRUST_PROXY=${raw?.trim()} is refused: it trusts X-Forwarded-For entries any client writes; give the number of proxies in front (TRUST_PROXY=1) or their addresses (TRUST_PROXY=10.0.0.0/8)`,
      ],
    };
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= MAX_PROXY_HOPS
      ? { trustProxy: hops, problems: [] }
      : {
          trustProxy: false,
          problems: [`TRUST_PROXY hop count must be from 1 to ${MAX_PROXY_HOPS} (got "${value}")`],
        };
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const problems = entries.flatMap((entry) => {
    const problem = proxyEntryProblem(entry);
    return problem === undefined ? [] : [`TRUST_PROXY entry "${entry}" ${problem}`];
  });
  return problems.length > 0 ? { trustProxy: false, problems } : { trustProxy: entries, problems };
}

/** Why `entry` is not an IPv4/IPv6 address or CIDR range that may be trusted, if it is not. */
function proxyEntryProblem(entry: string): string | undefined {
  const [address, prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) {
    return 'is not an IPv4 or IPv6 address or CIDR range (such as 10.0.0.0/8 or fd00::/8)';
  }
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits) {
    return `has a prefix length outside 0-${bits}`;
  }
  // A range holding every address trusts whatever a client writes, as `true` would.
  if (Number(prefix) === 0) return 'trusts every address, as TRUST_PROXY=true would';
  return undefined;
}
