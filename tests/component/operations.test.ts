import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { startMetricsListener } from '../../src/shared/http/metrics-listener.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('operations endpoints', () => {
  it('answers liveness without touching dependencies', async () => {
    const res = await t.app.request('/health');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; version: string; time: string };
    expect(body.status).toBe('ok');
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
  });

  it('reports readiness of the database and Redis with latencies', async () => {
    const res = await t.app.request('/health/ready');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      checks: Record<string, { status: string; latency_ms: number }>;
    };
    expect(body.status).toBe('ok');
    expect(body.checks.database?.status).toBe('up');
    expect(body.checks.redis?.status).toBe('up');
    expect(body.checks.database?.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('exposes the request-duration histogram labelled by route template', async () => {
    await t.app.request('/health');
    const res = await t.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{[^}]*method="GET",route="\/health",status="200"\}/,
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('serves an OpenAPI 3.1 document', async () => {
    const res = await t.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/health/ready');
  });

  it('serves Swagger UI with its assets from the service itself', async () => {
    const page = await t.app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(2);
    expect(html).toMatch(/validatorUrl:\s*'none'/);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const res = await t.app.request(asset);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
  });
});

describe('protected metrics', () => {
  const token = 'metrics-token-for-this-test-0123';

  it('answers /metrics only with METRICS_TOKEN as a bearer token', async () => {
    const guarded = await createTestApp({ METRICS_TOKEN: token });
    try {
      for (const authorization of [
        undefined,
        'Bearer wrong-token-of-other-length',
        `Basic ${token}`,
      ]) {
        const res = await guarded.app.request('/metrics', {
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('content-type')).toContain('application/problem+json');
        expect(await res.text()).not.toContain('process_cpu');
      }
      const res = await guarded.app.request('/metrics', {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('process_cpu_user_seconds_total');
    } finally {
      await guarded.close();
    }
  });

  it('with METRICS_PORT serves /metrics only on that separate listener', async () => {
    const separate = await createTestApp({ METRICS_PORT: '0', METRICS_TOKEN: token });
    const listener = await startMetricsListener({
      registry: separate.container.metrics.registry,
      port: 0,
      host: '127.0.0.1',
      token,
    });
    try {
      expect((await separate.app.request('/metrics')).status).toBe(404);
      const base = `http://127.0.0.1:${listener.port}`;
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      // Not the API: nothing but /metrics is in the document there, so this probe bypasses the
      // contract check that wraps `fetch`.
      expect(await statusOf(`${base}/health`)).toBe(404);
      const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('http_request_duration_seconds');
    } finally {
      await listener.close();
      await separate.close();
    }
  });
});

function statusOf(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpGet(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}
