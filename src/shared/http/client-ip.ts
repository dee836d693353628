import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { BlockList, isIP } from 'node:net';

/** Resolves the client address of a request. */
export type ClientIpResolver = (c: Context) => string;

/**
 * `TRUST_PROXY` unset: the socket peer is the client and `X-Forwarded-For` is ignored (a client
 * can write anything there). A number N: N proxies stand in front, so the client is the N-th
 * address from the right of socket + X-Forwarded-For. A list of IPs/CIDRs: walk right to left
 * past trusted addresses; the first untrusted one is the client.
 */
export function clientIpResolver(trustProxy: string | undefined): ClientIpResolver {
  const setting = trustProxy?.trim();
  if (!setting) return socketAddress;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (c) => {
      const chain = [...forwardedFor(c), socketAddress(c)];
      return chain[Math.max(0, chain.length - 1 - hops)] ?? socketAddress(c);
    };
  }
  const trusted = parseTrustList(setting);
  return (c) => {
    const chain = [...forwardedFor(c), socketAddress(c)];
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = chain[i]!;
      if (!isTrusted(trusted, address)) return address;
    }
    return chain[0] ?? socketAddress(c);
  };
}

/** Throws on a malformed entry so a bad setting stops start-up instead of trusting the wrong peers. */
export function parseTrustList(setting: string): BlockList {
  const list = new BlockList();
  for (const entry of setting
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0) throw new Error(`TRUST_PROXY: "${entry}" is not an IP address or CIDR`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address!, type);
    else {
      const bits = Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new Error(`TRUST_PROXY: "${entry}" has an invalid prefix length`);
      }
      list.addSubnet(address!, bits, type);
    }
  }
  return list;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return list.check(mapped ?? address, mapped ? 'ipv4' : family === 6 ? 'ipv6' : 'ipv4');
}

function forwardedFor(c: Context): string[] {
  const header = c.req.header('x-forwarded-for');
  if (!header) return [];
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => isIP(part) !== 0);
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // In-process requests (`app.request`) have no socket.
    return 'unknown';
  }
}
