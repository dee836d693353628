import { request as httpRequest, Agent } from 'node:http';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { runToExit, startService } from '../support/process.ts';

// Other test files send requests to /api/v1/auth from 127.0.0.1 too, counted in the same Redis:
// this file is about the process, not the limits, so they stay out of its way.
const env = () => ({
  DATABASE_URL: inject('databaseUrl'),
  REDIS_URL: inject('redisUrl'),
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
});

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
  it('starts, serves, and exits 0 on SIGTERM without waiting out an idle keep-alive connection', async () => {
    // Connections still open are closed by force only after SHUTDOWN_TIMEOUT_MS, far past this
    // test's timeout: the process has to get out without waiting for that.
    const service = await startService({ ...env(), SHUTDOWN_TIMEOUT_MS: '120000' });
    onTestFinished(() => void service.child.kill('SIGKILL'));
    const agent = new Agent({ keepAlive: true });
    expect((await get(service.port, '/health', agent)).status).toBe(200);
    expect((await get(service.port, '/health/ready', agent)).status).toBe(200);
    const missing = await get(service.port, '/no-such-route', agent);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({
      code: 'not_found',
      request_id: expect.any(String),
    });

    service.child.kill('SIGTERM');
    const { code } = await service.exited;
    agent.destroy();
    expect(code).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });

  it('finishes a request that is in flight when SIGTERM arrives, then exits 0', async () => {
    const service = await startService(env());
    const payload = JSON.stringify({ email: 'in-flight@example.test', password: 'whatever it is' });
    const response = new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: service.port,
          path: '/api/v1/auth/login',
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      // Half the body now, SIGTERM, the rest a moment later: the request is in flight throughout.
      req.write(payload.slice(0, 10));
      setTimeout(() => {
        service.child.kill('SIGTERM');
        setTimeout(() => req.end(payload.slice(10)), 500);
      }, 200);
    });
    expect(await response).toBe(401);
    expect((await service.exited).code).toBe(0);
  });

  it('refuses to start on a malformed variable with one line naming it', async () => {
    const result = await runToExit(['src/main.ts'], { ...env(), PORT: 'eighty' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Invalid configuration: PORT /);
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });
});

describe('npm run admin:grant', () => {
  it('promotes an existing user and refuses an unknown email with one clear line', async () => {
    const service = await startService(env());
    const email = `cli-${Date.now()}@example.test`;
    const registered = await fetch(`http://127.0.0.1:${service.port}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        email,
        password: 'a perfectly fine passphrase',
        full_name: 'Cli User',
      }),
    });
    expect(registered.status).toBe(201);
    const { access_token } = (await registered.json()) as { access_token: string };
    const adminList = () =>
      fetch(`http://127.0.0.1:${service.port}/api/v1/admin/users`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });
    expect((await adminList()).status).toBe(403);

    const granted = await runToExit(['src/cli/admin-grant.ts', email], env());
    expect(granted.code).toBe(0);
    expect(granted.stdout).toContain(`${email} is now an admin`);
    expect((await adminList()).status).toBe(200);

    const unknown = await runToExit(['src/cli/admin-grant.ts', 'nobody@example.test'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('no user with email nobody@example.test');
    service.child.kill('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });
});
