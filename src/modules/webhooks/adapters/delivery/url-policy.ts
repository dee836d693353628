import { isIP } from 'node:net';
import type { WebhookUrlPolicy } from '../../application/ports.ts';
import { refusedAddress } from './address-policy.ts';

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

/** The check at creation time; the sender checks again, with every address the host resolves to. */
export class HttpWebhookUrlPolicy implements WebhookUrlPolicy {
  readonly #allowPrivate: boolean;

  constructor(options: { allowPrivate?: boolean } = {}) {
    this.#allowPrivate = options.allowPrivate ?? false;
  }

  check(url: string): Promise<string | undefined> {
    const result = checkWebhookUrl(url, this.#allowPrivate);
    return Promise.resolve(result.allowed ? undefined : result.reason);
  }
}
