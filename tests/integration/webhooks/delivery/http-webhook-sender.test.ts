import { createServer, type AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutgoingWebhook } from '../../../../src/modules/webhooks/application/ports.ts';
import {
  HttpWebhookSender,
  MAX_RESPONSE_BYTES,
} from '../../../../src/modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import { generateWebhookSecret } from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';
import { answerWith, startReceiver, type Receiver } from './receivers.ts';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});
const receiver = async (...args: Parameters<typeof startReceiver>): Promise<Receiver> => {
  const started = await startReceiver(...args);
  open.push(started);
  return started;
};

const secret = generateWebhookSecret();
const webhook = (url: string, extra: Partial<OutgoingWebhook> = {}): OutgoingWebhook => ({
  url,
  messageId: 'msg_2f1c0d6e',
  timestamp: new Date(),
  body: JSON.stringify({ type: 'task.created', data: { id: 't1', title: 'Zoë’s task' } }),
  secrets: [secret],
  ...extra,
});
const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 1_000 });

describe('HttpWebhookSender against receivers on 127.0.0.1', () => {
  it('delivers to a 2xx receiver a body and headers that standardwebhooks verifies', async () => {
    const target = await receiver(answerWith(200, '{"ok":true}'));
    const sent = webhook(`${target.url}/hooks/in?team=7`);

    const outcome = await sender.send(sent);

    expect(outcome).toMatchObject({ kind: 'delivered', statusCode: 200 });
    expect(target.received).toHaveLength(1);
    const [request] = target.received;
    expect(request).toMatchObject({ method: 'POST', path: '/hooks/in?team=7', body: sent.body });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toMatch(/^task-manager-webhooks\//);
    expect(request!.headers['webhook-id']).toBe(sent.messageId);
    expect(request!.headers['webhook-timestamp']).toBe(
      String(Math.floor(sent.timestamp.getTime() / 1000)),
    );
    const verified = new Webhook(secret).verify(
      request!.body,
      request!.headers as Record<string, string>,
    );
    expect(verified).toEqual(JSON.parse(sent.body));
  });

  it('signs with both secrets during a rotation, so either one verifies', async () => {
    const target = await receiver();
    const next = generateWebhookSecret();
    const previous = generateWebhookSecret();

    await sender.send(webhook(target.url, { secrets: [next, previous] }));

    const [request] = target.received;
    const headers = request!.headers as Record<string, string>;
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(() => new Webhook(next).verify(request!.body, headers)).not.toThrow();
    expect(() => new Webhook(previous).verify(request!.body, headers)).not.toThrow();
    expect(() => new Webhook(generateWebhookSecret()).verify(request!.body, headers)).toThrow();
  });

  it('reports a 500 as rejected with its status and the start of its body', async () => {
    const target = await receiver(answerWith(500, 'database\n\tis down'));

    const outcome = await sender.send(webhook(target.url));

    expect(outcome).toMatchObject({ kind: 'rejected', statusCode: 500 });
    expect(outcome.kind === 'rejected' && outcome.error).toBe('HTTP 500: database is down');
  });

  it.each([301, 302, 307, 308])('does not follow a %i redirect', async (status) => {
    const elsewhere = await receiver();
    const target = await receiver(answerWith(status, '', { location: `${elsewhere.url}/moved` }));

    const outcome = await sender.send(webhook(target.url));

    expect(outcome).toMatchObject({ kind: 'rejected', statusCode: status });
    expect(outcome.kind === 'rejected' && outcome.error).toContain('redirects are not followed');
    expect(target.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('gives up on a receiver that never answers at the configured deadline', async () => {
    const target = await receiver(() => undefined);

    const outcome = await sender.send(webhook(target.url));

    expect(outcome).toMatchObject({ kind: 'unreachable', error: 'timed out after 1000 ms' });
    expect(outcome.kind === 'unreachable' && outcome.durationMs).toBeGreaterThanOrEqual(990);
    expect(outcome.kind === 'unreachable' && outcome.durationMs).toBeLessThan(5_000);
    expect(target.received).toHaveLength(1);
  });

  it('settles a 2xx whose body never ends at the deadline as delivered', async () => {
    const target = await receiver((_request, response) => {
      response.writeHead(202);
      response.write('x');
    });

    const outcome = await sender.send(webhook(target.url));

    expect(outcome).toMatchObject({ kind: 'delivered', statusCode: 202 });
  });

  it('reports a refused connection as unreachable', async () => {
    const port = await freePort();

    const outcome = await sender.send(webhook(`http://127.0.0.1:${port}/`));

    expect(outcome).toMatchObject({ kind: 'unreachable', error: 'connection refused' });
  });

  it('reads at most 4 KiB of a large answer and stays correct', async () => {
    const huge = `${'a'.repeat(MAX_RESPONSE_BYTES)}${'b'.repeat(4 * 1024 * 1024)}`;
    const ok = await receiver(answerWith(200, huge));
    const failing = await receiver(answerWith(503, huge));

    const delivered = await sender.send(webhook(ok.url));
    const rejected = await sender.send(webhook(failing.url));

    expect(delivered).toMatchObject({ kind: 'delivered', statusCode: 200 });
    expect(rejected).toMatchObject({ kind: 'rejected', statusCode: 503 });
    expect(rejected.kind === 'rejected' && rejected.error).toMatch(/^HTTP 503: a{200}$/);
  });

  it('reports a host that does not resolve as unreachable', async () => {
    const failing = new HttpWebhookSender({
      allowPrivate: true,
      resolve: () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })),
    });

    const outcome = await failing.send(webhook('https://no-such-host.test/'));

    expect(outcome).toMatchObject({ kind: 'unreachable', error: 'DNS: no such host' });
  });

  it('counts a resolver that hangs against the same deadline', async () => {
    const hanging = new HttpWebhookSender({
      allowPrivate: true,
      timeoutMs: 300,
      resolve: () => new Promise(() => undefined),
    });

    const outcome = await hanging.send(webhook('https://slow-dns.test/'));

    expect(outcome).toMatchObject({ kind: 'unreachable', error: 'timed out after 300 ms' });
  });

  it('puts no secret in an error text', async () => {
    const target = await receiver(answerWith(400, 'bad'));

    const outcomes = [
      await sender.send(webhook(target.url)),
      await sender.send(webhook(`http://127.0.0.1:${await freePort()}/`)),
      await new HttpWebhookSender().send(webhook('http://127.0.0.1/')),
    ];

    for (const outcome of outcomes) {
      expect('error' in outcome && outcome.error).toBeTruthy();
      expect(JSON.stringify(outcome)).not.toContain(secret.slice(6));
    }
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
