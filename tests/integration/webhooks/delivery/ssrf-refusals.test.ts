import { Socket } from 'node:net';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  vi,
  type MockInstance,
} from 'vitest';
import { refusedAddress } from '../../../../src/modules/webhooks/adapters/delivery/address-policy.ts';
import type { OutgoingWebhook } from '../../../../src/modules/webhooks/application/ports.ts';
import {
  HttpWebhookSender,
  type AddressResolver,
} from '../../../../src/modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import { generateWebhookSecret } from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';
import { HttpWebhookUrlPolicy } from '../../../../src/modules/webhooks/adapters/delivery/url-policy.ts';
import { startTripwire } from './receivers.ts';

/** At least one address of every refused class, IPv4, IPv6 and IPv4 inside IPv6. */
const REFUSED: ReadonlyArray<[string, string]> = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['10.0.0.1', 'private network'],
  ['172.16.0.1', 'private network'],
  ['172.31.255.255', 'private network'],
  ['192.168.1.1', 'private network'],
  ['fc00::1', 'unique local (private) network'],
  ['fd12:3456::1', 'unique local (private) network'],
  ['169.254.1.1', 'link-local'],
  ['fe80::1', 'link-local'],
  ['169.254.169.254', 'cloud metadata service'],
  ['fd00:ec2::254', 'cloud metadata service'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['0.0.0.0', 'unspecified address'],
  ['0.1.2.3', 'unspecified address'],
  ['::', 'unspecified address'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['198.18.0.1', 'benchmarking range'],
  ['198.19.255.254', 'benchmarking range'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:10.0.0.1', 'private network'],
  ['::ffff:a9fe:a9fe', 'cloud metadata service'],
  ['::127.0.0.1', 'IPv4-compatible (deprecated) address'],
  ['64:ff9b::7f00:1', 'loopback'],
  ['64:ff9b::10.1.2.3', 'private network'],
  ['64:ff9b:1::a00:1', 'local-use NAT64'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'cloud metadata service'],
  ['2002:c0a8:101::1', 'private network'],
];

const PUBLIC = [
  '93.184.216.34',
  '1.1.1.1',
  '172.32.0.1',
  '100.128.0.1',
  '198.20.0.1',
  '2606:4700::1111',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('the address policy', () => {
  it.each(REFUSED)('refuses %s (%s)', (address, reason) => {
    expect(refusedAddress(address, false)).toContain(reason);
  });

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(refusedAddress(address, false)).toBeUndefined();
  });

  it('allows every address with allowPrivate', () => {
    for (const [address] of REFUSED) expect(refusedAddress(address, true)).toBeUndefined();
  });
});

/** Host names as a test's DNS knows them: nothing here resolves off the machine. */
const NAMES: Readonly<Record<string, readonly string[]>> = {
  'example.com': ['93.184.216.34'],
  'hooks.example.com': ['2606:4700::1111', '93.184.216.34'],
  'intranet.example.com': ['10.20.30.40'],
  'metadata.example.com': ['169.254.169.254'],
  'split.example.com': ['93.184.216.34', '192.168.0.9'],
  'mapped.example.com': ['::ffff:127.0.0.1'],
  'empty.example.com': [],
};

/** Resolves from NAMES, counting lookups; other names do not exist (ENOTFOUND). */
function namesResolver() {
  const looked: string[] = [];
  const resolve: AddressResolver = (hostname) => {
    looked.push(hostname);
    const addresses = NAMES[hostname];
    if (addresses === undefined) {
      return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    }
    return Promise.resolve(
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { resolve, looked };
}

describe('the URL policy at creation time', () => {
  const policy = new HttpWebhookUrlPolicy({ resolve: namesResolver().resolve });

  it.each([
    ['http://example.com/hook', 'must use https'],
    ['ftp://example.com/hook', 'must use https'],
    ['example.com/hook', 'must be an absolute URL'],
    ['https://user:secret@example.com/hook', 'must not contain a user name or password'],
    ['https://user@example.com/hook', 'must not contain a user name or password'],
    ['https://example.com:0/hook', 'must not use port 0'],
    ['https://localhost/hook', 'loopback'],
    ['https://api.localhost./hook', 'loopback'],
    ['https://127.0.0.1/hook', 'loopback'],
    ['https://2130706433/hook', 'loopback'],
    ['https://0x7f.1/hook', 'loopback'],
    ['https://127.1/hook', 'loopback'],
    ['https://0177.0.0.1/hook', 'loopback'],
    ['https://017700000001/hook', 'loopback'],
    ['https://0xa9fea9fe/latest/meta-data', 'cloud metadata service'],
    ['https://[::ffff:127.0.0.1]/hook', 'loopback'],
    ['https://[0:0:0:0:0:ffff:7f00:1]/hook', 'loopback'],
    ['https://[fd00:ec2::254]/hook', 'cloud metadata service'],
    ['https://[fe80::1%25eth0]/hook', 'absolute URL'],
    ['https://10.1.2.3:8443/hook', 'private network'],
  ])('refuses %s', async (url, reason) => {
    expect(await policy.check(url)).toContain(reason);
  });

  it.each([
    'https://example.com/hook',
    'https://hooks.example.com:8443/in?x=1',
    'https://93.184.216.34/hook',
    'https://[2606:4700::1111]/hook',
  ])('allows %s', async (url) => {
    expect(await policy.check(url)).toBeUndefined();
  });

  it.each([
    ['https://intranet.example.com/hook', 'it resolves to 10.20.30.40 (private network)'],
    ['https://metadata.example.com/hook', 'it resolves to 169.254.169.254 (cloud metadata'],
    ['https://split.example.com/hook', 'it resolves to 192.168.0.9 (private network)'],
    ['https://mapped.example.com/hook', 'it resolves to ::ffff:127.0.0.1 (loopback)'],
    ['https://nowhere.example.com/hook', 'must name a host that resolves: nowhere.example.com'],
    ['https://empty.example.com/hook', 'empty.example.com has no address'],
  ])('refuses %s by the addresses its host resolves to', async (url, reason) => {
    expect(await policy.check(url)).toContain(reason);
  });

  it('refuses a host that does not resolve in time, without waiting for it', async () => {
    const slow = new HttpWebhookUrlPolicy({
      resolve: () => new Promise(() => undefined),
      resolveTimeoutMs: 100,
    });
    const started = performance.now();

    const refusal = await slow.check('https://slow.example.com/hook');

    expect(refusal).toBe(
      'must name a host that resolves: slow.example.com did not resolve within 100 ms; try again',
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('resolves only host names, and nothing with allowPrivate', async () => {
    const names = namesResolver();
    const strict = new HttpWebhookUrlPolicy({ resolve: names.resolve });
    const local = new HttpWebhookUrlPolicy({ allowPrivate: true, resolve: names.resolve });

    expect(await strict.check('https://93.184.216.34/hook')).toBeUndefined();
    expect(await strict.check('https://localhost/hook')).toContain('loopback');
    expect(await local.check('https://nowhere.example.com/hook')).toBeUndefined();
    expect(await local.check('http://intranet.example.com/hook')).toBeUndefined();
    expect(names.looked).toEqual([]);
    expect(await strict.check('https://example.com/hook')).toBeUndefined();
    expect(names.looked).toEqual(['example.com']);
  });

  it('allows http and loopback with allowPrivate, but still no user name or password', async () => {
    const local = new HttpWebhookUrlPolicy({ allowPrivate: true });
    expect(await local.check('http://127.0.0.1:8080/hook')).toBeUndefined();
    expect(await local.check('http://localhost:8080/hook')).toBeUndefined();
    expect(await local.check('http://a:b@127.0.0.1/hook')).toContain('user name');
    expect(await local.check('ftp://127.0.0.1/hook')).toContain('http or https');
  });
});

/**
 * Every socket connect in these tests is stopped before it leaves the process and counted: a
 * refusal must come before any connection, and a bug must not send traffic anywhere.
 */
describe('the sender refuses before connecting', () => {
  let connects: MockInstance;
  let tripwire: Awaited<ReturnType<typeof startTripwire>>;
  beforeAll(async () => {
    tripwire = await startTripwire();
  });
  afterAll(async () => {
    await tripwire.close();
  });
  beforeEach(() => {
    connects = vi.spyOn(Socket.prototype, 'connect').mockImplementation(function (this: Socket) {
      process.nextTick(() => this.destroy(new Error('connection blocked by the test')));
      return this;
    });
  });
  afterEach(() => {
    connects.mockRestore();
  });

  const webhook = (url: string): OutgoingWebhook => ({
    url,
    messageId: 'msg_1',
    timestamp: new Date(),
    body: '{}',
    secrets: [generateWebhookSecret()],
  });
  const resolvingTo =
    (...addresses: string[]): AddressResolver =>
    () =>
      Promise.resolve(
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  const host = (address: string) => (address.includes(':') ? `[${address}]` : address);

  it.each(REFUSED)('refuses the literal address %s', async (address, reason) => {
    const sender = new HttpWebhookSender({
      resolve: () => Promise.reject(new Error('no DNS here')),
    });

    const outcome = await sender.send(webhook(`https://${host(address)}:${tripwire.port}/hook`));

    expect(outcome).toEqual({ kind: 'refused', error: expect.stringContaining(reason) });
    expect(connects).not.toHaveBeenCalled();
  });

  it.each(REFUSED)('refuses a host name resolving to %s', async (address, reason) => {
    const sender = new HttpWebhookSender({ resolve: resolvingTo(address) });

    const outcome = await sender.send(webhook(`https://hooks.example.com:${tripwire.port}/hook`));

    expect(outcome).toEqual({
      kind: 'refused',
      error: expect.stringContaining(`hooks.example.com resolves to ${address}: ${reason}`),
    });
    expect(connects).not.toHaveBeenCalled();
  });

  it.each([
    ['93.184.216.34', '10.0.0.5'],
    ['10.0.0.5', '93.184.216.34'],
    ['2606:4700::1111', '127.0.0.1'],
  ])('refuses a host name resolving to %s and %s', async (...addresses) => {
    const sender = new HttpWebhookSender({ resolve: resolvingTo(...addresses) });

    const outcome = await sender.send(webhook('https://mixed.example.com/hook'));

    expect(outcome.kind).toBe('refused');
    expect(connects).not.toHaveBeenCalled();
  });

  it.each([
    'http://2130706433/',
    'https://0x7f.1/',
    'https://127.1/',
    'http://93.184.216.34/',
    'https://u:p@example.com/',
  ])('refuses %s before resolving it', async (url) => {
    const resolve = vi.fn(resolvingTo('93.184.216.34'));
    const sender = new HttpWebhookSender({ resolve });

    const outcome = await sender.send(webhook(url));

    expect(outcome.kind).toBe('refused');
    expect(resolve).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
  });

  it('leaves the loopback listener untouched', () => {
    expect(tripwire.connections()).toBe(0);
  });

  it('notices a connection when one is attempted (the guard above works)', async () => {
    const sender = new HttpWebhookSender({ allowPrivate: true, resolve: resolvingTo('127.0.0.1') });

    const plain = await sender.send(webhook(`http://allowed.test:${tripwire.port}/`));
    const tls = await sender.send(webhook(`https://allowed.test:${tripwire.port}/`));

    expect(plain).toMatchObject({ kind: 'unreachable' });
    expect(tls).toMatchObject({ kind: 'unreachable' });
    expect(connects).toHaveBeenCalledTimes(2);
  });
});
