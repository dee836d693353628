import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFUSED_RANGES } from '../../../../src/modules/webhooks/adapters/delivery/address-policy.ts';
import { HttpWebhookSender } from '../../../../src/modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import {
  RETRY_DELAYS_MS,
  MAX_DELIVERY_ATTEMPTS,
} from '../../../../src/modules/webhooks/adapters/delivery/retry-schedule.ts';
import { generateWebhookSecret } from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';
import { startReceiver, type Receiver } from './receivers.ts';

type Verify = (
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string,
  toleranceSeconds?: number,
) => boolean;

const doc = await readFile(new URL('../../../../docs/webhooks.md', import.meta.url), 'utf8');
let scratch: string;
let verifyWebhook: Verify;
let receiver: Receiver;

beforeAll(async () => {
  const snippet = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(doc)?.[1];
  if (!snippet) throw new Error('docs/webhooks.md has no node:crypto snippet');
  scratch = await mkdtemp(join(tmpdir(), 'webhook-doc-'));
  const file = join(scratch, 'verify.mjs');
  await writeFile(file, snippet);
  ({ verifyWebhook } = (await import(pathToFileURL(file).href)) as { verifyWebhook: Verify });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('docs/webhooks.md', () => {
  it('has a node:crypto snippet that verifies a real delivery, under either rotated secret', async () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    await new HttpWebhookSender({ allowPrivate: true }).send({
      url: receiver.url,
      messageId: 'msg_doc',
      timestamp: new Date(),
      body: '{"type":"webhook.ping","data":{}}',
      secrets: [current, previous],
    });
    const { headers, body } = receiver.received.at(-1)!;

    expect(verifyWebhook(current, headers, body)).toBe(true);
    expect(verifyWebhook(previous, headers, body)).toBe(true);
    expect(verifyWebhook(generateWebhookSecret(), headers, body)).toBe(false);
    expect(verifyWebhook(current, headers, body.replace('ping', 'pong'))).toBe(false);
    expect(verifyWebhook(current, { ...headers, 'webhook-id': 'msg_other' }, body)).toBe(false);
    const old = String(Number(headers['webhook-timestamp']) - 600);
    expect(verifyWebhook(current, { ...headers, 'webhook-timestamp': old }, body)).toBe(false);
  });

  it('lists every refused address range', () => {
    const rows = new Map(
      [...doc.matchAll(/^\| `([0-9a-f.:]+\/\d+)` +\| ([^|]+?) +\|$/gm)].map((m) => [m[1], m[2]]),
    );
    for (const { network, prefix, reason } of REFUSED_RANGES) {
      expect(rows.get(`${network}/${prefix}`)).toBe(reason);
    }
    expect(rows.size).toBe(REFUSED_RANGES.length);
  });

  it('has a retry table with the waits of the schedule', () => {
    const unit: Record<string, number> = { s: 1_000, min: 60_000, h: 3_600_000 };
    const waits = [...doc.matchAll(/^\| (\d) +\| ([^|]+?) +\|/gm)].map(([, attempt, wait]) => {
      const parsed = /^(\d+) (s|min|h)$/.exec(wait!);
      return [Number(attempt), parsed ? Number(parsed[1]) * unit[parsed[2]!]! : undefined];
    });
    expect(waits).toEqual([[1, undefined], ...RETRY_DELAYS_MS.map((delay, i) => [i + 2, delay])]);
    expect(waits).toHaveLength(MAX_DELIVERY_ATTEMPTS);
  });

  it('has the same waits in the README retry table', async () => {
    const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
    const unit: Record<string, number> = { s: 1_000, min: 60_000, h: 3_600_000 };
    const row = /^ *\| waits +\|(.+)\|$/m.exec(readme)?.[1];
    const waits = row?.split('|').map((cell) => {
      const parsed = /^(\d+) (s|min|h)$/.exec(cell.trim());
      return parsed ? Number(parsed[1]) * unit[parsed[2]!]! : undefined;
    });
    expect(waits).toEqual([undefined, ...RETRY_DELAYS_MS]);
  });
});
