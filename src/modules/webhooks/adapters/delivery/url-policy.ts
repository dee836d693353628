import { isIP } from 'node:net';
import type { WebhookUrlPolicy } from '../../application/ports.ts';
import { refusedAddress } from './address-policy.ts';
import { systemResolver, type AddressResolver } from './address-resolver.ts';

export type UrlCheck =
  | { allowed: true; url: URL; host: string; literalIp: boolean }
  | { allowed: false; reason: string };

const LOOPBACK_NAME = /(^|\.)localhost\.?$/i;

/**
 * The rules for a webhook URL that need no DNS: https (http too with `allowPrivate`), no user
 * name or password, a host, and no literal IP address outside the public internet. Odd host forms
 * (`2130706433`, `0x7f.1`, `127.1`) are already dotted IPv4 once WHATWG URL has parsed them.
 */
export function checkWebhookUrl(text: string, allowPrivate: boolean): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { allowed: false, reason: 'must be an absolute URL' };
  }
  const schemes = allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    return { allowed: false, reason: allowPrivate ? 'must use http or https' : 'must use https' };
  }
  if (url.username !== '' || url.password !== '') {
    return { allowed: false, reason: 'must not contain a user name or password' };
  }
  if (url.port === '0') return { allowed: false, reason: 'must not use port 0' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') return { allowed: false, reason: 'must name a host' };
  const literalIp = isIP(host) !== 0;
  if (literalIp) {
    const refused = refusedAddress(host, allowPrivate);
    if (refused) return { allowed: false, reason: `must not point to ${host}: ${refused}` };
  } else if (!allowPrivate && LOOPBACK_NAME.test(host)) {
    return { allowed: false, reason: `must not point to ${host}: loopback` };
  }
  return { allowed: true, url, host, literalIp };
}

/** How long creation and update wait for the host's addresses before refusing the URL. */
export const URL_RESOLVE_TIMEOUT_MS = 2_000;

export interface HttpWebhookUrlPolicyOptions {
  /** Development and tests only: allow http and every address; host names are not resolved. */
  allowPrivate?: boolean;
  resolve?: AddressResolver;
  resolveTimeoutMs?: number;
}

/**
 * The check at creation and update: the rules above, then every address the host name resolves
 * to must be public, so a URL that cannot work is refused with a 400 rather than failing at every
 * delivery. A name that does not resolve (or not in time) is refused too: it would only fail. The
 * sender checks again at each attempt, with the addresses it connects to, since DNS answers change.
 */
export class HttpWebhookUrlPolicy implements WebhookUrlPolicy {
  readonly #allowPrivate: boolean;
  readonly #resolve: AddressResolver;
  readonly #timeoutMs: number;

  constructor(options: HttpWebhookUrlPolicyOptions = {}) {
    this.#allowPrivate = options.allowPrivate ?? false;
    this.#resolve = options.resolve ?? systemResolver;
    this.#timeoutMs = options.resolveTimeoutMs ?? URL_RESOLVE_TIMEOUT_MS;
  }

  async check(url: string): Promise<string | undefined> {
    const result = checkWebhookUrl(url, this.#allowPrivate);
    if (!result.allowed) return result.reason;
    if (this.#allowPrivate || result.literalIp) return undefined;
    const { host } = result;
    let addresses: readonly { address: string }[];
    try {
      addresses = await this.#resolveInTime(host);
    } catch (error) {
      return `must name a host that resolves: ${unresolved(host, error, this.#timeoutMs)}`;
    }
    if (addresses.length === 0) return `must name a host that resolves: ${host} has no address`;
    for (const { address } of addresses) {
      const refused = refusedAddress(address, false);
      if (refused) return `must not point to ${host}: it resolves to ${address} (${refused})`;
    }
    return undefined;
  }

  async #resolveInTime(host: string): Promise<readonly { address: string }[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ResolveTimeout()), this.#timeoutMs);
    });
    try {
      return await Promise.race([this.#resolve(host), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

class ResolveTimeout extends Error {}

function unresolved(host: string, error: unknown, timeoutMs: number): string {
  if (error instanceof ResolveTimeout) {
    return `${host} did not resolve within ${timeoutMs} ms; try again`;
  }
  const { code } = (error ?? {}) as { code?: string };
  if (code === 'ENOTFOUND' || code === 'ENODATA') return `${host} does not resolve`;
  return `looking up ${host} failed (${code ?? 'error'}); try again`;
}
