import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  clientIpResolver,
  parseForwardedAddress,
  rateLimitSubject,
} from '../../../src/shared/http/client-ip.ts';

/** What `@hono/node-server` passes as the env of a request: `getConnInfo` reads the socket from it. */
const nodeEnv = (remoteAddress: string) => ({
  incoming: { socket: { remoteAddress, remotePort: 40_000, remoteFamily: 'IPv6' } },
});

async function resolve(trustProxy: string | undefined, peer: string, xff?: string) {
  const clientIp = clientIpResolver(trustProxy);
  const app = new Hono().get('/', (c) => c.text(clientIp(c)));
  const res = await app.request(
    '/',
    { headers: xff === undefined ? {} : { 'X-Forwarded-For': xff } },
    nodeEnv(peer),
  );
  return res.text();
}

describe('X-Forwarded-For entries', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    [' 203.0.113.7 ', '203.0.113.7'],
    ['203.0.113.7:4711', '203.0.113.7'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:DB8::A', '2001:db8::a'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:4711', '2001:db8::1'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['[::ffff:203.0.113.7]:80', '203.0.113.7'],
    ['::FFFF:203.0.113.7', '203.0.113.7'],
    ['', undefined],
    ['unknown', undefined],
    ['_hidden', undefined],
    ['203.0.113.7:', undefined],
    ['203.0.113.7:99999', undefined],
    ['203.0.113.256', undefined],
    ['2001:db8::1:4711', '2001:db8::1:4711'],
    ['[2001:db8::1', undefined],
    ['[203.0.113.7]:80', undefined],
    ['2001:db8::1]:80', undefined],
    ['"[2001:db8::1]:4711"', undefined],
    ['for=203.0.113.7', undefined],
  ])('reads %j as %j', (entry, address) => {
    expect(parseForwardedAddress(entry)).toBe(address);
  });
});

describe('client address', () => {
  const proxy = '198.51.100.9';
  it.each([
    // [TRUST_PROXY, socket peer, X-Forwarded-For, client]
    ['unset: the peer', undefined, '203.0.113.7', '198.51.100.1', '203.0.113.7'],
    ['unset: a mapped peer as IPv4', undefined, '::ffff:203.0.113.7', '1.2.3.4', '203.0.113.7'],
    ['1 hop: the appended entry', '1', proxy, '192.0.2.66, 203.0.113.7', '203.0.113.7'],
    ['1 hop: an entry with a port', '1', proxy, '192.0.2.66, 203.0.113.7:4711', '203.0.113.7'],
    ['1 hop: [v6]:port', '1', proxy, '192.0.2.66, [2001:db8::7]:4711', '2001:db8::7'],
    ['1 hop: mapped IPv6', '1', proxy, '192.0.2.66, ::ffff:203.0.113.7', '203.0.113.7'],
    ['1 hop: a malformed trusted entry is the peer', '1', proxy, '192.0.2.66, bogus', proxy],
    ['1 hop: an empty trusted entry is the peer', '1', proxy, '192.0.2.66, ', proxy],
    ['1 hop: no header is the peer', '1', proxy, undefined, proxy],
    ['2 hops', '2', proxy, '192.0.2.66, 203.0.113.7, 10.0.0.2:443', '203.0.113.7'],
    ['2 hops: malformed at the client position', '2', proxy, '192.0.2.66, x, 10.0.0.2', proxy],
    [
      'CIDR: walks past trusted',
      '10.0.0.0/8',
      '10.0.0.1',
      '192.0.2.66, 203.0.113.7, 10.0.0.2:80',
      '203.0.113.7',
    ],
    [
      'CIDR: malformed where the client is',
      '10.0.0.0/8',
      '10.0.0.1',
      '192.0.2.66, oops, 10.0.0.2',
      '10.0.0.1',
    ],
    ['CIDR: a mapped trusted peer', '10.0.0.0/8', '::ffff:10.0.0.1', '203.0.113.7', '203.0.113.7'],
    [
      'CIDR: [v6]:port of a trusted proxy',
      '2001:db8:f::/48',
      '2001:db8:f::1',
      '203.0.113.7, [2001:db8:f::2]:80',
      '203.0.113.7',
    ],
    [
      'CIDR: an untrusted peer ignores the header',
      '10.0.0.0/8',
      '192.0.2.1',
      '203.0.113.7',
      '192.0.2.1',
    ],
  ])('%s', async (_name, trustProxy, peer, xff, client) => {
    expect(await resolve(trustProxy, peer, xff)).toBe(client);
  });
});

describe('rate-limit subject', () => {
  it.each([
    ['203.0.113.7', 64, '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2::ffff', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2:aaaa::', 56, '2001:db8:1:0:0:0:0:0/56'],
    ['2001:db8:1:2ff::', 56, '2001:db8:1:200:0:0:0:0/56'],
    ['2001:db8::1', 128, '2001:db8:0:0:0:0:0:1/128'],
    ['::1', 64, '0:0:0:0:0:0:0:0/64'],
    ['64:ff9b::203.0.113.7', 96, '64:ff9b:0:0:0:0:0:0/96'],
    ['64:ff9b::203.0.113.7', 128, '64:ff9b:0:0:0:0:cb00:7107/128'],
    ['unknown', 64, 'unknown'],
  ])('%s with /%i is %s', (address, prefix, subject) => {
    expect(rateLimitSubject(address, prefix)).toBe(subject);
  });

  it('puts every address of one /64 in one bucket and a neighbouring /64 in another', () => {
    const subjects = new Set(
      Array.from({ length: 22 }, (_, i) => rateLimitSubject(`2001:db8:5:6::${i + 1}`, 64)),
    );
    expect(subjects.size).toBe(1);
    expect(rateLimitSubject('2001:db8:5:7::1', 64)).not.toBe([...subjects][0]);
  });
});
