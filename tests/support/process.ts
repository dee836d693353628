import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ServiceProcess {
  child: ChildProcess;
  /** The HTTP port (0 for a worker, which listens on none). */
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `src/main.ts` as a real process (same Node as the test runner) and waits until it listens. */
export function startService(env: Record<string, string>, timeoutMs = 20_000) {
  return spawnService(env, /"port":(\d+)[^\n]*"msg":"listening"/, timeoutMs);
}

/** Starts `src/main.ts` with APP_ROLE=worker and waits until its background work runs. */
export function startWorker(env: Record<string, string>, timeoutMs = 20_000) {
  return spawnService({ ...env, APP_ROLE: 'worker' }, /"msg":"worker started"/, timeoutMs);
}

async function spawnService(
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs: number,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      // bcrypt at its minimum cost, as in the in-process tests (tests/support/test-app.ts).
      NODE_ENV: 'test',
      BCRYPT_COST: '4',
      // Jobs of this process stay apart from every other run's, unless the test shares a prefix.
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const port = await new Promise<number>((resolve, reject) => {
    // A process that never got ready is nobody's to stop afterwards: stop it here.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(Number(match[1] ?? 0));
      }
    };
    child.stdout?.on('data', onData);
    void exited.then(() => reject(new Error(`service exited early:\n${out}`)));
  });
  return { child, port, output: () => out, exited };
}

export function runToExit(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}
