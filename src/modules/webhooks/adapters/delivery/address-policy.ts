import { BlockList, isIP, isIPv4 } from 'node:net';

type Family = 'ipv4' | 'ipv6';

interface RefusedRange {
  /** Finishes "… is not allowed: <reason>". */
  reason: string;
  family: Family;
  network: string;
  prefix: number;
}

const range = (reason: string, cidr: string): RefusedRange => {
  const [network, prefix] = cidr.split('/') as [string, string];
  return { reason, family: isIPv4(network) ? 'ipv4' : 'ipv6', network, prefix: Number(prefix) };
};

/**
 * Every range a webhook may not reach: the machine itself, private networks, the cloud metadata
 * service and ranges that are not public unicast. Anything else is a public address. A narrow
 * range comes before the wider one holding it, so the reason names the narrow one.
 */
export const REFUSED_RANGES: readonly RefusedRange[] = [
  range('cloud metadata service', '169.254.169.254/32'),
  range('cloud metadata service', 'fd00:ec2::254/128'),
  range('unspecified address', '0.0.0.0/8'),
  range('loopback', '127.0.0.0/8'),
  range('private network', '10.0.0.0/8'),
  range('private network', '172.16.0.0/12'),
  range('private network', '192.168.0.0/16'),
  range('carrier-grade NAT', '100.64.0.0/10'),
  range('link-local', '169.254.0.0/16'),
  range('IETF protocol assignments', '192.0.0.0/24'),
  range('documentation range', '192.0.2.0/24'),
  range('documentation range', '198.51.100.0/24'),
  range('documentation range', '203.0.113.0/24'),
  range('benchmarking range', '198.18.0.0/15'),
  range('multicast', '224.0.0.0/4'),
  range('broadcast', '255.255.255.255/32'),
  range('reserved', '240.0.0.0/4'),
  range('unspecified address', '::/128'),
  range('loopback', '::1/128'),
  range('IPv4-compatible (deprecated) address', '::/96'),
  range('unique local (private) network', 'fc00::/7'),
  range('link-local', 'fe80::/10'),
  range('site-local', 'fec0::/10'),
  range('multicast', 'ff00::/8'),
  range('discard-only range', '100::/64'),
  range('documentation range', '2001:db8::/32'),
  range('Teredo tunnel', '2001::/32'),
  range('local-use NAT64', '64:ff9b:1::/48'),
];

const lists = new Map<string, BlockList>();
for (const { reason, family, network, prefix } of REFUSED_RANGES) {
  let list = lists.get(reason);
  if (!list) lists.set(reason, (list = new BlockList()));
  list.addSubnet(network, prefix, family);
}

/** The 16 bytes of an IPv6 address (already validated by `isIP`). */
function ipv6Bytes(address: string): Uint8Array {
  let text = address;
  const bytes = new Uint8Array(16);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const octets = dotted[1]!.split('.').map(Number);
    const hex = (a: number, b: number) => ((a << 8) | b).toString(16);
    text = `${text.slice(0, dotted.index)}${hex(octets[0]!, octets[1]!)}:${hex(octets[2]!, octets[3]!)}`;
  }
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  all.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  });
  return bytes;
}

const isZero = (bytes: Uint8Array, from: number, to: number) =>
  bytes.subarray(from, to).every((b) => b === 0);
const v4 = (bytes: Uint8Array, at: number) => Array.from(bytes.subarray(at, at + 4)).join('.');

/**
 * The IPv4 address an IPv6 address stands for, where the network would carry the packet to it:
 * IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::). Without
 * this, [::ffff:127.0.0.1] would reach the loopback.
 */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (isZero(bytes, 0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(bytes, 12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b) {
    if (isZero(bytes, 4, 12)) return v4(bytes, 12);
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(bytes, 2);
  return undefined;
}

function refusedReason(address: string, family: Family): string | undefined {
  for (const [reason, list] of lists) if (list.check(address, family)) return reason;
  return undefined;
}

/**
 * Why a webhook may not be sent to this IP address, or undefined when it may. `allowPrivate`
 * (development and tests only) allows every address.
 */
export function refusedAddress(address: string, allowPrivate: boolean): string | undefined {
  if (allowPrivate) return undefined;
  const plain = address.replace(/%.*$/, '');
  const version = isIP(plain);
  if (version === 4) return refusedReason(plain, 'ipv4');
  if (version !== 6) return 'not an IP address';
  const own = refusedReason(plain, 'ipv6');
  if (own) return own;
  const inner = embeddedIpv4(plain);
  const innerReason = inner === undefined ? undefined : refusedReason(inner, 'ipv4');
  return innerReason === undefined ? undefined : `${innerReason} (${inner} inside IPv6)`;
}
