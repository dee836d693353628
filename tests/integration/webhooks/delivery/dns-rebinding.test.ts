import { afterEach, describe, expect, it } from 'vitest';
import {
  HttpWebhookSender,
  type AddressResolver,
} from '../../../../src/modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import { generateWebhookSecret } from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';
import { startReceiver, type Receiver } from './receivers.ts';

const open: Receiver[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((receiver) => receiver.close()));
});

/** A name server that answers `first` once and `later` ever after, as a rebinding attacker's does. */
function rebinding(
  first: string,
  later: string,
): { resolve: AddressResolver; calls: () => number } {
  let calls = 0;
  return {
    resolve: () => {
      calls += 1;
      return Promise.resolve([{ address: calls === 1 ? first : later, family: 4 }]);
    },
    calls: () => calls,
  };
}

describe('DNS rebinding between the check and the connection', () => {
  it('connects to the address that was checked, keeping the host name in Host', async () => {
    const checked = await startReceiver(undefined, '127.0.0.1');
    open.push(checked);
    const rebound = await startReceiver(undefined, '127.0.0.2', checked.port);
    open.push(rebound);
    const dns = rebinding('127.0.0.1', '127.0.0.2');
    const sender = new HttpWebhookSender({ allowPrivate: true, resolve: dns.resolve });

    const outcome = await sender.send({
      url: `http://rebind.example.test:${checked.port}/hook`,
      messageId: 'msg_rebind',
      timestamp: new Date(),
      body: '{"n":1}',
      secrets: [generateWebhookSecret()],
    });

    expect(outcome).toMatchObject({ kind: 'delivered', statusCode: 204 });
    expect(dns.calls()).toBe(1);
    expect(checked.received).toHaveLength(1);
    expect(checked.received[0]).toMatchObject({ localAddress: '127.0.0.1', body: '{"n":1}' });
    expect(checked.received[0]!.headers.host).toBe(`rebind.example.test:${checked.port}`);
    expect(rebound.received).toHaveLength(0);
  });

  it('resolves afresh for each attempt and pins each one to its own answer', async () => {
    const first = await startReceiver(undefined, '127.0.0.1');
    open.push(first);
    const second = await startReceiver(undefined, '127.0.0.2', first.port);
    open.push(second);
    const dns = rebinding('127.0.0.1', '127.0.0.2');
    const sender = new HttpWebhookSender({ allowPrivate: true, resolve: dns.resolve });
    const send = () =>
      sender.send({
        url: `http://rebind.example.test:${first.port}/hook`,
        messageId: 'msg_rebind',
        timestamp: new Date(),
        body: '{}',
        secrets: [generateWebhookSecret()],
      });

    await send();
    await send();

    expect(dns.calls()).toBe(2);
    expect(first.received.map((r) => r.localAddress)).toEqual(['127.0.0.1']);
    expect(second.received.map((r) => r.localAddress)).toEqual(['127.0.0.2']);
  });

  it('falls back only to the other checked addresses when the first refuses the connection', async () => {
    const listening = await startReceiver(undefined, '127.0.0.1');
    open.push(listening);
    const rebound = await startReceiver(undefined, '127.0.0.2', listening.port);
    open.push(rebound);
    let calls = 0;
    const sender = new HttpWebhookSender({
      allowPrivate: true,
      resolve: () => {
        calls += 1;
        const answer = calls === 1 ? ['127.0.0.3', '127.0.0.1'] : ['127.0.0.2'];
        return Promise.resolve(answer.map((address) => ({ address, family: 4 })));
      },
    });

    const outcome = await sender.send({
      url: `http://several.example.test:${listening.port}/hook`,
      messageId: 'msg_several',
      timestamp: new Date(),
      body: '{}',
      secrets: [generateWebhookSecret()],
    });

    expect(outcome).toMatchObject({ kind: 'delivered' });
    expect(calls).toBe(1);
    expect(listening.received).toHaveLength(1);
    expect(rebound.received).toHaveLength(0);
  });
});
