import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getCACertificates, setDefaultCACertificates, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpWebhookSender } from '../../../../src/modules/webhooks/adapters/delivery/http-webhook-sender.ts';
import { generateWebhookSecret } from '../../../../src/modules/webhooks/adapters/delivery/standard-webhooks-signer.ts';

const HOST = 'hooks.example.test';
const seen: Array<{ servername: string | false | null; host: string | undefined }> = [];
let server: Server;
let port: number;
let defaultCas: string[];

/** A certificate for HOST only, trusted by this process for the duration of the file. */
function certificateFor(host: string): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const { key, cert } = certificateFor(HOST);
  defaultCas = getCACertificates('default');
  setDefaultCACertificates([...defaultCas, cert.toString()]);
  server = createServer({ key, cert }, (request, response) => {
    seen.push({ servername: (request.socket as TLSSocket).servername, host: request.headers.host });
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  setDefaultCACertificates(defaultCas);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const sender = new HttpWebhookSender({
  allowPrivate: true,
  resolve: () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]),
});
const send = (host: string) =>
  sender.send({
    url: `https://${host}:${port}/hook`,
    messageId: 'msg_tls',
    timestamp: new Date(),
    body: '{}',
    secrets: [generateWebhookSecret()],
  });

describe('HttpWebhookSender over TLS to a pinned address', () => {
  it('sends SNI and Host for the host name and verifies the certificate for it', async () => {
    const outcome = await send(HOST);

    expect(outcome).toMatchObject({ kind: 'delivered', statusCode: 204 });
    expect(seen).toEqual([{ servername: HOST, host: `${HOST}:${port}` }]);
  });

  it('refuses a certificate that does not name the host, though the address was allowed', async () => {
    const outcome = await send('other.example.test');

    expect(outcome).toEqual({
      kind: 'unreachable',
      durationMs: expect.any(Number),
      error: 'TLS error (ERR_TLS_CERT_ALTNAME_INVALID)',
    });
  });
});
