import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { BlockList, isIP } from 'node:net';

/** Resolves the client address of a request (IPv4-mapped IPv6 addresses come out as IPv4). */
export type ClientIpResolver = (c: Context) => string;

/**
 * `TRUST_PROXY` unset: the socket peer is the client and `X-Forwarded-For` is ignored (a client
 * can write anything there). A number N: N proxies stand in front, so the client is the N-th
 * address from the right of socket + X-Forwarded-For. A list of IPs/CIDRs: walk right to left
 * past trusted addresses; the first untrusted one is the client.
 *
 * Entries may carry a port (`203.0.113.7:4711`, `[2001:db8::1]:4711`), as several proxies
 * append them. An entry that cannot be read where the client should be yields the socket peer:
 * skipping it would shift the walk onto addresses the client wrote itself. `Forwarded`
 * (RFC 7239) is not read.
 */
export function clientIpResolver(trustProxy: string | undefined): ClientIpResolver {
  const setting = trustProxy?.trim();
  if (!setting) return socketAddress;
  if (/^\d+$/.test(setting)) {
    const hops = Number(setting);
    return (c) => {
      const peer = socketAddress(c);
      const chain = [...forwardedFor(c), peer];
      return chain[Math.max(0, chain.length - 1 - hops)] ?? peer;
    };
  }
  const trusted = parseTrustList(setting);
  return (c) => {
    const peer = socketAddress(c);
    const chain = [...forwardedFor(c), peer];
    for (let i = chain.length - 1; i >= 0; i--) {
      const address = chain[i];
      if (address === undefined) return peer;
      if (!isTrusted(trusted, address)) return address;
    }
    return chain[0] ?? peer;
  };
}

/** Throws on a malformed entry so a bad setting stops start-up instead of trusting the wrong peers. */
function parseTrustList(setting: string): BlockList {
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

/**
 * The address of one `X-Forwarded-For` entry: a bare IPv4 or IPv6 address, `ipv4:port`,
 * `[ipv6]` or `[ipv6]:port`; `undefined` when it is none of these.
 */
export function parseForwardedAddress(entry: string): string | undefined {
  const text = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) {
    return isIP(bracketed[1]!) === 6 && validPort(bracketed[2])
      ? normalise(bracketed[1]!)
      : undefined;
  }
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text);
  if (withPort) {
    return isIP(withPort[1]!) === 4 && validPort(withPort[2]) ? withPort[1] : undefined;
  }
  return isIP(text) === 0 ? undefined : normalise(text);
}

const validPort = (port: string | undefined) => port === undefined || Number(port) <= 65535;

/** IPv4-mapped IPv6 (`::ffff:192.0.2.1`) is the IPv4 client it stands for. */
function normalise(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mapped !== undefined && isIP(mapped) === 4) return mapped;
  return isIP(address) === 6 ? address.toLowerCase() : address;
}

/**
 * The rate-limit subject of a client address: an IPv4 address as it is, an IPv6 address as its
 * network of `ipv6Prefix` bits (`2001:db8:1:2::/64`), since one subscriber usually holds a whole
 * /64 and could otherwise rotate through it.
 */
export function rateLimitSubject(address: string, ipv6Prefix: number): string {
  if (isIP(address) !== 6) return address;
  const groups = ipv6Groups(address);
  if (groups === undefined) return address;
  const masked = groups.map((group, i) => {
    const bits = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    return bits === 0 ? 0 : group & ((0xffff << (16 - bits)) & 0xffff);
  });
  return `${masked.map((g) => g.toString(16)).join(':')}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of an IPv6 address (zone dropped, a dotted IPv4 tail converted). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!.toLowerCase();
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const fill = rest === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(fill).fill('0'), ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

function isTrusted(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Every entry of the header, `undefined` where one is malformed (its position still counts). */
function forwardedFor(c: Context): Array<string | undefined> {
  const header = c.req.header('x-forwarded-for');
  if (!header) return [];
  return header.split(',').map(parseForwardedAddress);
}

function socketAddress(c: Context): string {
  try {
    const address = getConnInfo(c).remote.address;
    return address === undefined ? 'unknown' : normalise(address);
  } catch {
    // In-process requests (`app.request`) have no socket.
    return 'unknown';
  }
}
