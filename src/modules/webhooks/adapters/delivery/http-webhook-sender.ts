import type { LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import type { OutgoingWebhook, SendOutcome, WebhookSender } from '../../application/ports.ts';
import { refusedAddress } from './address-policy.ts';
import { systemResolver, type AddressResolver } from './address-resolver.ts';
import { signWebhook, webhookTimestamp } from './standard-webhooks-signer.ts';
import { checkWebhookUrl } from './url-policy.ts';

export const DEFAULT_SEND_TIMEOUT_MS = 10_000;
/** The most of a receiver's answer that is read; the rest is never downloaded. */
export const MAX_RESPONSE_BYTES = 4 * 1024;
const ERROR_BODY_CHARS = 200;

export type { AddressResolver };

export interface HttpWebhookSenderOptions {
  /** Development and tests only: allow http and every address, loopback and private included. */
  allowPrivate?: boolean;
  /** One deadline for the whole attempt: DNS, connect, TLS, headers and the body read. */
  timeoutMs?: number;
  resolve?: AddressResolver;
  userAgent?: string;
}

type Settle = (outcome: SendOutcome) => void;

/**
 * Posts a signed webhook over node:http(s). The host is resolved once, every address is checked,
 * and the socket connects to a checked address (the `lookup` below answers with them), so a DNS
 * answer that changes between the check and the connection (rebinding) cannot redirect the
 * request; TLS still verifies the certificate against the host name, and Host names it too.
 * Redirects are never followed: a 3xx is a rejection.
 */
export class HttpWebhookSender implements WebhookSender {
  readonly #allowPrivate: boolean;
  readonly #timeoutMs: number;
  readonly #resolve: AddressResolver;
  readonly #userAgent: string;

  constructor(options: HttpWebhookSenderOptions = {}) {
    this.#allowPrivate = options.allowPrivate ?? false;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.#resolve = options.resolve ?? systemResolver;
    this.#userAgent = options.userAgent ?? 'task-manager-webhooks/1';
  }

  async send(webhook: OutgoingWebhook): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const target = checkWebhookUrl(webhook.url, this.#allowPrivate);
    if (!target.allowed) return { kind: 'refused', error: `URL ${target.reason}` };
    const signal = AbortSignal.timeout(this.#timeoutMs);

    let addresses: readonly LookupAddress[];
    if (target.literalIp) {
      addresses = [{ address: target.host, family: isIP(target.host) }];
    } else {
      try {
        addresses = await untilAborted(this.#resolve(target.host), signal);
      } catch (error) {
        return { kind: 'unreachable', durationMs: elapsed(), error: this.#describe(error, 'DNS') };
      }
      if (addresses.length === 0) {
        return { kind: 'unreachable', durationMs: elapsed(), error: 'DNS: no address' };
      }
    }
    for (const { address } of addresses) {
      const refused = refusedAddress(address, this.#allowPrivate);
      if (refused)
        return { kind: 'refused', error: `${target.host} resolves to ${address}: ${refused}` };
    }
    return this.#post(target.url, target.host, addresses, webhook, signal, elapsed);
  }

  #post(
    url: URL,
    host: string,
    checked: readonly LookupAddress[],
    webhook: OutgoingWebhook,
    signal: AbortSignal,
    elapsed: () => number,
  ): Promise<SendOutcome> {
    const signature = signWebhook(
      webhook.messageId,
      webhook.timestamp,
      webhook.body,
      webhook.secrets,
    );
    const body = Buffer.from(webhook.body, 'utf8');
    // Only checked addresses: all of them when Node tries several (happy eyeballs), else the first.
    const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [...checked]);
      else callback(null, checked[0]!.address, checked[0]!.family);
    };
    return new Promise((resolve) => {
      let settled = false;
      const settle: Settle = (outcome) => {
        if (settled) return;
        settled = true;
        request.destroy();
        resolve(outcome);
      };
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
        protocol: url.protocol,
        host,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: false,
        lookup: pinnedLookup,
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': String(body.length),
          'user-agent': this.#userAgent,
          'webhook-id': webhook.messageId,
          'webhook-timestamp': webhookTimestamp(webhook.timestamp),
          'webhook-signature': signature,
        },
      });
      let answered = false;
      request.on('response', (response) => {
        answered = true;
        readAnswer(response, elapsed, settle);
      });
      // Once the status is in, a timeout or reset while reading the body ends the read only.
      request.on('error', (error) => {
        if (!answered) {
          settle({ kind: 'unreachable', durationMs: elapsed(), error: this.#describe(error) });
        }
      });
      request.end(body);
    });
  }

  #describe(error: unknown, stage?: 'DNS'): string {
    const { code, name } = (error ?? {}) as { code?: string; name?: string };
    if (name === 'AbortError' || name === 'TimeoutError' || code === 'ABORT_ERR') {
      return `timed out after ${this.#timeoutMs} ms`;
    }
    if (stage === 'DNS') {
      return code === 'ENOTFOUND' ? 'DNS: no such host' : `DNS lookup failed (${code ?? 'error'})`;
    }
    switch (code) {
      case 'ECONNREFUSED':
        return 'connection refused';
      case 'ECONNRESET':
      case 'EPIPE':
        return 'connection reset';
      case 'ETIMEDOUT':
        return 'connection timed out';
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return 'host unreachable';
      default:
        break;
    }
    if (code?.startsWith('HPE_')) return `invalid HTTP response (${code})`;
    if (code && /TLS|SSL|CERT|SELF_SIGNED|UNABLE_TO/.test(code)) return `TLS error (${code})`;
    return `network error (${code ?? 'unknown'})`;
  }
}

/**
 * Reads at most MAX_RESPONSE_BYTES of the answer, then drops the connection: the status decides
 * the outcome, and the first bytes of a refusal tell its owner why.
 */
function readAnswer(response: IncomingMessage, elapsed: () => number, settle: Settle): void {
  const status = response.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  const finish = () => {
    response.destroy();
    const durationMs = elapsed();
    if (status >= 200 && status < 300) {
      settle({ kind: 'delivered', statusCode: status, durationMs });
      return;
    }
    const redirect = status >= 300 && status < 400;
    const text = Buffer.concat(chunks).toString('utf8');
    const excerpt = text
      .replace(/[\p{Cc}\s]+/gu, ' ')
      .trim()
      .slice(0, ERROR_BODY_CHARS);
    const error =
      `HTTP ${status}${redirect ? ' (redirects are not followed)' : ''}` +
      (excerpt ? `: ${excerpt}` : '');
    settle({ kind: 'rejected', statusCode: status, durationMs, error });
  };
  response.on('data', (chunk: Buffer) => {
    const kept = chunk.subarray(0, MAX_RESPONSE_BYTES - size);
    chunks.push(kept);
    size += kept.length;
    if (size >= MAX_RESPONSE_BYTES) finish();
  });
  response.on('end', finish);
  response.on('error', finish);
  response.on('close', finish);
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
