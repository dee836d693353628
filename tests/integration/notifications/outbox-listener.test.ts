import { RequestContext } from '@mikro-orm/core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  OUTBOX_LISTENER_NAME,
  PgOutboxListener,
} from '../../../src/modules/notifications/adapters/outbox/pg-outbox-listener.ts';
import { OutboxRelayLoop } from '../../../src/modules/notifications/adapters/outbox/outbox-relay-loop.ts';
import type { Signed } from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import { createTask, sql, verifiedUser } from '../../support/notifications/notifications-kit.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

/**
 * The relay polls only every 10 minutes here: whatever it relays within the test's time was
 * woken by a NOTIFY or by the listener's catch-up poll after reconnecting.
 */
const prefix = uniqueQueuePrefix();
let db: IsolatedDatabase;
let t: TestApp;
let owner: Signed;
let assignee: Signed;
let loop: OutboxRelayLoop;
let listener: PgOutboxListener;
const states: Array<'listening' | 'lost'> = [];
const stateWaiters: Array<() => void> = [];

beforeAll(async () => {
  db = await isolatedDatabase();
  t = await createTestApp({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  });
  [owner, assignee] = await Promise.all([verifiedUser(t), verifiedUser(t)]);
  loop = new OutboxRelayLoop(t.container.notifications.useCases.relayOutbox, {
    logger: t.container.logger,
    scope: (work) => RequestContext.create(t.container.orm.em, work),
    idleMs: 600_000,
  });
  listener = new PgOutboxListener({
    databaseUrl: db.url,
    logger: t.container.logger,
    onWake: () => loop.wake(),
    onState: (state) => {
      states.push(state);
      for (const waiter of stateWaiters.splice(0)) waiter();
    },
    // Long enough that a write right after the loss lands before the reconnection.
    minBackoffMs: 2_000,
  });
  loop.start();
  listener.start();
  await nextState('listening');
});

afterAll(async () => {
  await listener?.stop();
  await loop?.stop();
  await t?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

function nextState(state: 'listening' | 'lost', after = states.length): Promise<void> {
  if (states.slice(after).includes(state)) return Promise.resolve();
  return new Promise((resolve) =>
    stateWaiters.push(() => void nextState(state, after).then(resolve)),
  );
}

/** Waits (bounded) until the assignee has the task's `task.assigned` notification. */
async function notified(taskId: string): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const rows = await sql(
      t,
      `select 1 from notifications where user_id = ? and task_id = ? and type = 'task.assigned'`,
      [assignee.userId, taskId],
    );
    if (rows.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`task ${taskId} was not relayed`);
}

async function listenerPid(): Promise<number | undefined> {
  const [row] = await sql<{ pid: number }>(
    t,
    'select pid from pg_stat_activity where application_name = ? and datname = current_database()',
    [OUTBOX_LISTENER_NAME],
  );
  return row?.pid;
}

describe('the outbox listener', () => {
  it('wakes the relay when an outbox row commits, long before the next poll', async () => {
    const task = await createTask(t, owner, { assignee_id: assignee.userId });

    await notified(task.id);
  });

  it('reconnects after its backend is terminated and relays what committed meanwhile', async () => {
    const before = await listenerPid();
    expect(before).toBeTypeOf('number');
    const mark = states.length;

    await sql(t, 'select pg_terminate_backend(?)', [before]);
    await nextState('lost', mark);
    const missed = await createTask(t, owner, { assignee_id: assignee.userId });
    // Written while nobody listened: its NOTIFY went nowhere.
    expect(states.slice(mark)).toEqual(['lost']);

    await nextState('listening', mark);
    await notified(missed.id);
    const after = await listenerPid();
    expect(after).toBeTypeOf('number');
    expect(after).not.toBe(before);

    const next = await createTask(t, owner, { assignee_id: assignee.userId });
    await notified(next.id);
  });
});
