import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { MikroOrmNotificationRepository } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-notification-repository.ts';
import { MikroOrmOutboxSource } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-outbox-source.ts';
import { MikroOrmReminderStates } from '../../../src/modules/notifications/adapters/persistence/mikro-orm-reminder-states.ts';
import { WebhooksEventSubscribers } from '../../../src/modules/notifications/adapters/webhooks/webhooks-event-subscribers.ts';
import { TasksTaskReader } from '../../../src/modules/notifications/adapters/tasks/tasks-task-reader.ts';
import { RelayOutbox } from '../../../src/modules/notifications/application/relay-outbox.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import type { TestApp } from '../test-app.ts';
import { bearer, body, json, register, type Signed } from '../identity/http-client.ts';

export interface NotificationJson {
  id: string;
  type: string;
  task_id: string | null;
  actor_id: string | null;
  data: Record<string, string | null>;
  read_at: string | null;
  created_at: string;
}

export interface InboxPage {
  items: NotificationJson[];
  next_cursor: string | null;
}

export const sql = <T = Record<string, unknown>>(
  t: TestApp,
  query: string,
  params: unknown[] = [],
) => t.container.orm.em.getConnection().execute<T[]>(query, params);

/** A registered user whose email is verified, so tasks can be assigned to them. */
export async function verifiedUser(t: TestApp): Promise<Signed> {
  const user = await register(t);
  await sql(t, 'update users set email_verified = true where id = ?', [user.userId]);
  return user;
}

export async function createTask(
  t: TestApp,
  owner: Signed,
  fields: Record<string, unknown> = {},
): Promise<{ id: string; project_id: string; version: number }> {
  const res = await t.app.request(
    '/api/v1/tasks',
    bearer(owner.accessToken, json({ title: `Task ${randomUUID().slice(0, 8)}`, ...fields })),
  );
  if (res.status !== 201) throw new Error(`create task failed: ${res.status} ${await res.text()}`);
  return body<{ id: string; project_id: string; version: number }>(res);
}

export async function patchTask(
  t: TestApp,
  user: Signed,
  taskId: string,
  fields: Record<string, unknown>,
): Promise<{ id: string; version: number }> {
  const current = await body<{ version: number }>(
    await t.app.request(`/api/v1/tasks/${taskId}`, bearer(user.accessToken)),
  );
  const res = await t.app.request(
    `/api/v1/tasks/${taskId}`,
    bearer(user.accessToken, {
      ...json({ ...fields, version: current.version }),
      method: 'PATCH',
    }),
  );
  if (res.status !== 200) throw new Error(`patch task failed: ${res.status} ${await res.text()}`);
  return body<{ id: string; version: number }>(res);
}

export async function comment(t: TestApp, user: Signed, taskId: string, text = 'A comment') {
  const res = await t.app.request(
    `/api/v1/tasks/${taskId}/comments`,
    bearer(user.accessToken, json({ body: text })),
  );
  if (res.status !== 201) throw new Error(`comment failed: ${res.status} ${await res.text()}`);
}

/** The relay of `t`'s container, or one whose publishing is lost (a crash after the commit). */
export function relayOf(t: TestApp, options: { publish?: boolean } = {}): RelayOutbox {
  if (options.publish !== false) return t.container.notifications.useCases.relayOutbox;
  const em = t.container.orm.em;
  return new RelayOutbox({
    outbox: new MikroOrmOutboxSource(em),
    notifications: new MikroOrmNotificationRepository(em),
    reminderStates: new MikroOrmReminderStates(em),
    tasks: new TasksTaskReader(
      t.container.tasks.useCases.getTask,
      t.container.tasks.useCases.whoCanSeeTask,
    ),
    reminderJobs: { schedule: async () => undefined, cancel: async () => undefined },
    live: { publish: () => Promise.reject(new Error('killed before publishing')) },
    subscribers: new WebhooksEventSubscribers(t.container.webhooks.useCases.recordEventDeliveries),
    ids: new UuidV7Ids(),
    clock: { now: () => new Date() },
    transactions: new MikroOrmTransactionRunner(em),
    failures: { report: () => undefined },
    tracing: { start: () => ({ run: (work) => work(), end: () => undefined }) },
  });
}

/** Runs the relay until the outbox is drained; resolves how many events it processed. */
export async function relayAll(t: TestApp, options: { publish?: boolean } = {}): Promise<number> {
  const relay = relayOf(t, options);
  let total = 0;
  for (;;) {
    const result = await RequestContext.create(t.container.orm.em, async () =>
      relay.execute({ limit: 50 }),
    );
    const { processed, failed } = result._unsafeUnwrap();
    total += processed;
    if (processed + failed === 0) return total;
  }
}

export async function inbox(t: TestApp, user: Signed, query = ''): Promise<InboxPage> {
  const res = await t.app.request(`/api/v1/notifications${query}`, bearer(user.accessToken));
  if (res.status !== 200) throw new Error(`inbox failed: ${res.status} ${await res.text()}`);
  return body<InboxPage>(res);
}
