import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

/** Every address a host name resolves to (dns.lookup with `all`). */
export type AddressResolver = (hostname: string) => Promise<readonly LookupAddress[]>;

export const systemResolver: AddressResolver = (hostname) =>
  new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, order: 'verbatim' }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );
