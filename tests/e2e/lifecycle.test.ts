import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, inject, it } from 'vitest';
import { runToExit, startService } from '../support/process.ts';

const env = () => ({ DATABASE_URL: inject('databaseUrl'), REDIS_URL: inject('redisUrl') });

function get(port: number, path: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the service process', () => {
  it('starts, serves, and exits 0 on SIGTERM within 10 s even with an idle keep-alive connection', async () => {
    const service = await startService(env());
    const agent = new Agent({ keepAlive: true });
    expect((await get(service.port, '/health', agent)).status).toBe(200);
    expect((await get(service.port, '/health/ready', agent)).status).toBe(200);
    const missing = await get(service.port, '/no-such-route', agent);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      code: 'not_found',
      request_id: expect.any(String),
    });

    const started = Date.now();
    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    agent.destroy();
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(service.output()).toContain('"msg":"stopped"');
  });

  it('refuses to start on a malformed variable with one line naming it', async () => {
    const result = await runToExit(['src/main.ts'], { ...env(), PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Invalid configuration: PORT /);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
