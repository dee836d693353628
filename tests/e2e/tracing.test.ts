import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uniqueEmail } from '../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../support/notifications/isolated-database.ts';
import { openSocket, type LiveClient } from '../support/notifications/live-client.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../support/notifications/queue-keys.ts';
import {
  startOtlpReceiver,
  type OtlpReceiver,
  type ReceivedSpan,
} from '../support/otlp-receiver.ts';
import { startService, startWorker, type ServiceProcess } from '../support/process.ts';

/**
 * Tracing across real processes: an API instance and a worker export to an OTLP/HTTP receiver
 * started here (JSON protocol); one assignment must form one trace from the request through the
 * outbox and the worker back to the WebSocket push.
 */
const prefix = uniqueQueuePrefix('e2e-trace');
let receiver: OtlpReceiver;
let db: IsolatedDatabase;
let api: ServiceProcess;
let worker: ServiceProcess;
const clients: LiveClient[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  db = await isolatedDatabase('trace');
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  [api, worker] = await Promise.all([startService({ ...env, APP_ROLE: 'api' }), startWorker(env)]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  for (const service of [api, worker]) {
    if (service && service.child.exitCode === null) {
      service.child.kill('SIGTERM');
      await service.exited;
    }
  }
  await receiver?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

async function call<T>(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`http://127.0.0.1:${api.port}/api/v1${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function user() {
  const out = await call<{ access_token: string; user: { id: string } }>(
    'POST',
    '/auth/register',
    undefined,
    { email: uniqueEmail('trace'), password: 'a perfectly fine passphrase', full_name: 'Trace' },
  );
  await db.execute('update users set email_verified = true where id = ?', [out.user.id]);
  return { userId: out.user.id, accessToken: out.access_token };
}

/** Waits (bounded) until `find` finds something among the received spans. */
async function received<T>(find: (spans: ReceivedSpan[]) => T | undefined): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const found = find(receiver.spans);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not received; spans so far: ${receiver.spans.map((s) => s.name).join(', ')}`);
}

const pidOf = (span: ReceivedSpan) => span.resource['process.pid'];
const childrenOf = (parent: ReceivedSpan, spans: ReceivedSpan[]) =>
  spans
    .filter((s) => s.traceId === parent.traceId && s.parentSpanId === parent.spanId)
    .sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));

/** The trace as an indented tree of `name [role]` lines (the form the README shows). */
function tree(root: ReceivedSpan, spans: ReceivedSpan[], depth = 0): string[] {
  const line = `${'  '.repeat(depth)}${root.name} [${String(root.resource['app.role'])}]`;
  return [line, ...childrenOf(root, spans).flatMap((child) => tree(child, spans, depth + 1))];
}

describe('tracing across processes', () => {
  it('follows one assignment from the request through the outbox and the worker to the socket', async () => {
    const owner = await user();
    const assignee = await user();
    const client = await openSocket(api.port, { token: assignee.accessToken });
    clients.push(client);
    const title = `Traced ${Date.now()}`;

    const task = await call<{ id: string }>('POST', '/tasks', owner.accessToken, {
      title,
      assignee_id: assignee.userId,
    });
    await client.waitFor(1, 10_000);

    const request = await received((spans) =>
      spans.find(
        (s) => s.name === 'POST /api/v1/tasks' && s.attributes['http.response.status_code'] === 201,
      ),
    );
    const relay = await received((spans) =>
      spans.find((s) => s.name === 'outbox.relay' && s.traceId === request.traceId),
    );
    const push = await received((spans) =>
      spans.find((s) => s.name === 'notifications.push' && s.traceId === request.traceId),
    );
    const spans = receiver.spans.filter((s) => s.traceId === request.traceId);

    // The request, on the API instance: a server span named by its route template.
    expect(request).toMatchObject({ kind: 2, parentSpanId: '' });
    expect(request.attributes['http.route']).toBe('/api/v1/tasks');
    expect(pidOf(request)).toBe(api.child.pid);
    const outboxInsert = childrenOf(request, spans).find(
      (s) =>
        s.name === 'pg INSERT' && String(s.attributes['db.query.text']).includes('outbox_events'),
    );
    expect(outboxInsert?.attributes['db.system.name']).toBe('postgresql');
    // Values are stripped from the query text: the title never reaches the trace backend.
    expect(JSON.stringify(spans)).not.toContain(title);
    expect(JSON.stringify(spans)).not.toContain(task.id);
    expect(childrenOf(request, spans).some((s) => s.name.startsWith('redis '))).toBe(true);

    // The relay, in the worker process: the request's child, with its own queries and publish.
    expect(relay.parentSpanId).toBe(request.spanId);
    expect(pidOf(relay)).toBe(worker.child.pid);
    const relayChildren = childrenOf(relay, spans).map((s) => s.name);
    expect(relayChildren).toContain('pg INSERT');
    expect(relayChildren).toContain('redis PUBLISH');

    // The push, back on the API instance: the relay's child.
    expect(push.parentSpanId).toBe(relay.spanId);
    expect(pidOf(push)).toBe(api.child.pid);

    // The request's log line carries the same trace.
    const line = api
      .output()
      .split('\n')
      .find((l) => l.includes('"msg":"request"') && l.includes('"route":"/api/v1/tasks"'));
    expect(line).toContain(`"trace_id":"${request.traceId}"`);
    expect(line).toContain(`"span_id":"${request.spanId}"`);

    const printed = tree(request, spans).join('\n');
    expect(printed).toContain('POST /api/v1/tasks [api]\n');
    expect(printed).toMatch(/^ {2}outbox\.relay \[worker\]$/m);
    expect(printed).toMatch(/^ {4}notifications\.push \[api\]$/m);
    if (process.env.PRINT_TRACE) process.stdout.write(`\n${printed}\n`);
    expect(receiver.malformed).toBe(0);
  });

  it('continues the trace through the reminder job to the due-soon push', async () => {
    const owner = await user();
    const client = await openSocket(api.port, { token: owner.accessToken });
    clients.push(client);
    const remindAt = new Date(Date.now() + 1_500).toISOString();

    await call('POST', '/tasks', owner.accessToken, {
      title: 'Reminded',
      due_date: new Date(Date.now() + 3_600_000).toISOString(),
      remind_at: remindAt,
    });
    const [frame] = await client.waitFor(1, 15_000);
    expect(frame?.type).toBe('task.due_soon');

    const request = await received((spans) =>
      spans.findLast((s) => s.name === 'POST /api/v1/tasks'),
    );
    const relay = await received((spans) =>
      spans.find((s) => s.name === 'outbox.relay' && s.traceId === request.traceId),
    );
    const pushes = await received((spans) => {
      const found = spans.filter(
        (s) => s.name === 'notifications.push' && s.traceId === request.traceId,
      );
      return found.length > 0 ? found : undefined;
    });
    const spans = receiver.spans.filter((s) => s.traceId === request.traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ancestry = (span: ReceivedSpan) => {
      const chain: ReceivedSpan[] = [];
      for (let at = byId.get(span.parentSpanId); at; at = byId.get(at.parentSpanId)) chain.push(at);
      return chain;
    };

    // The job was queued inside the relay's span and ran, in the worker, inside the same trace.
    const jobRun = spans.find(
      (s) => s.kind === 5 && pidOf(s) === worker.child.pid && s.name.includes('process'),
    );
    expect(jobRun).toBeDefined();
    expect(ancestry(jobRun!)).toContain(relay);
    const dueSoonPush = pushes.find((push) => ancestry(push).includes(jobRun!));
    expect(dueSoonPush).toBeDefined();
    expect(pidOf(dueSoonPush!)).toBe(api.child.pid);
    if (process.env.PRINT_TRACE) process.stdout.write(`\n${tree(request, spans).join('\n')}\n`);
  });
});
