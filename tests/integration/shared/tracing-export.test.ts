import { trace } from '@opentelemetry/api';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/shared/infra/logger.ts';
import { startTracing, type Tracing } from '../../../src/shared/infra/tracing.ts';
import { captureLogs } from '../../support/test-app.ts';

/** A collector that refuses every export. */
let refused = 0;
const collector = createServer((req, res) => {
  refused += 1;
  req.resume();
  req.on('end', () => res.writeHead(400, { 'content-type': 'application/json' }).end('{}'));
});
let tracing: Tracing | undefined;

afterAll(async () => {
  await tracing?.shutdown();
  await new Promise((resolve) => collector.close(resolve));
});

describe('a collector that refuses the spans', () => {
  it('is reported in the log, once per period, and the service goes on', async () => {
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    tracing = await startTracing(
      { endpoint, protocol: 'http/json', serviceName: 'test', sampleRatio: 1, exportDelayMs: 20 },
      { role: 'api', version: '0.0.0' },
    );
    const { capture, stream } = captureLogs();
    tracing.reportErrorsTo(createLogger({ level: 'info', destination: stream }), 60_000);
    const failures = () => capture.records().filter((r) => r.msg === 'tracing failure');

    for (let batch = 1; batch <= 3; batch++) {
      trace.getTracer('test').startSpan(`span ${batch}`).end();
      for (let wait = 0; wait < 200 && refused < batch; wait++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(refused).toBeGreaterThanOrEqual(3);
    expect(failures()).toHaveLength(1);
    expect(failures()[0]).toMatchObject({ level: 'warn' });
  });
});
