import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MikroOrmOutbox } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-outbox.ts';
import { memberRemoved } from '../../../src/modules/tasks/domain/project-events.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import type { Signed } from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import { openSocket, startServer } from '../../support/notifications/live-client.ts';
import {
  comment,
  createTask,
  inbox,
  relayAll,
  relayOf,
  sql,
  verifiedUser,
} from '../../support/notifications/notifications-kit.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { sharedProject } from '../../support/tasks/shared-projects.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

const prefix = uniqueQueuePrefix();
let db: IsolatedDatabase;
let a: TestApp;
let b: TestApp;
let users: Signed[];
/** A task of a project all three users are members of: the relay tells only those who see it. */
let shared: { id: string; project_id: string };
beforeAll(async () => {
  db = await isolatedDatabase();
  const env = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  };
  [a, b] = await Promise.all([createTestApp(env), createTestApp(env)]);
  users = await Promise.all([verifiedUser(a), verifiedUser(a), verifiedUser(a)]);
  const projectId = await sharedProject(
    a,
    users.map((user, i) => [user.userId, i === 0 ? 'owner' : 'editor'] as const),
  );
  shared = await createTask(a, users[0]!, { project_id: projectId });
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

/** Writes `count` outbox events among `users`, as the tasks module would; resolves their ids. */
async function writeEvents(count: number): Promise<string[]> {
  const rows = Array.from({ length: count }, (_, i) => {
    const actor = users[i % 3]!;
    const others = users.filter((u) => u !== actor).map((u) => u.userId);
    const type = ['task.status_changed', 'task.commented'][i % 2]!;
    const payload =
      type === 'task.commented'
        ? { title: `T${i}`, commentId: randomUUID() }
        : { title: `T${i}`, from: 'pending', to: 'in_progress' };
    return {
      id: randomUUID(),
      type,
      task_id: shared.id,
      project_id: shared.project_id,
      actor_id: actor.userId,
      recipients: others,
      payload,
      occurred_at: new Date(Date.now() + i).toISOString(),
    };
  });
  await sql(
    a,
    `insert into outbox_events (id, type, task_id, project_id, actor_id, recipients, payload, occurred_at)
     select r.id, r.type, r.task_id, r.project_id, r.actor_id,
            array(select jsonb_array_elements_text(r.recipients))::uuid[], r.payload, r.occurred_at
       from jsonb_to_recordset(?::jsonb) as r(id uuid, type text, task_id uuid, project_id uuid, actor_id uuid,
         recipients jsonb, payload jsonb, occurred_at timestamptz)`,
    [JSON.stringify(rows)],
  );
  return rows.map((row) => row.id);
}

function relay(t: TestApp, limit: number) {
  return RequestContext.create(t.container.orm.em, async () =>
    t.container.notifications.useCases.relayOutbox.execute({ limit }),
  ).then((result) => result._unsafeUnwrap());
}

async function drain(t: TestApp, limit: number): Promise<number> {
  let total = 0;
  for (;;) {
    const { processed } = await relay(t, limit);
    if (processed === 0) return total;
    total += processed;
  }
}

describe('the outbox relay over PostgreSQL', () => {
  it('creates each notification exactly once when two relays drain the same outbox at once', async () => {
    const ids = await writeEvents(240);
    const [byA, byB] = await Promise.all([drain(a, 7), drain(b, 7)]);

    expect(byA + byB).toBe(240);
    expect(Math.min(byA, byB)).toBeGreaterThan(0);
    const [pending] = await sql<{ count: string }>(
      a,
      'select count(*) from outbox_events where id = any(?::uuid[]) and processed_at is null',
      [`{${ids.join(',')}}`],
    );
    expect(Number(pending?.count)).toBe(0);
    const stored = await sql<{ source_event_id: string; user_id: string; seq: string }>(
      a,
      'select source_event_id, user_id, seq from notifications where source_event_id = any(?::uuid[])',
      [`{${ids.join(',')}}`],
    );
    // Every event has two recipients (never its actor), each told once.
    expect(stored).toHaveLength(480);
    expect(new Set(stored.map((n) => `${n.source_event_id}/${n.user_id}`)).size).toBe(480);
    for (const user of users) {
      const seqs = stored
        .filter((n) => n.user_id === user.userId)
        .map((n) => Number(n.seq))
        .sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    }
  });

  it('numbers each user’s notifications in commit order: what is visible is always 1..max', async () => {
    await writeEvents(90);
    const holes: string[] = [];
    let draining = true;
    const watch = async () => {
      while (draining) {
        const rows = await sql<{ user_id: string }>(
          a,
          'select user_id from notifications group by user_id having max(seq) <> count(*)',
        );
        holes.push(...rows.map((row) => row.user_id));
      }
    };
    const watching = watch();
    await Promise.all([drain(a, 2), drain(b, 2)]);
    draining = false;
    await watching;
    expect(holes).toEqual([]);
  });

  it('loses nothing when the process dies between the commit and the publish: inbox, then resume', async () => {
    const owner = await verifiedUser(a);
    const assignee = await verifiedUser(a);
    const server = await startServer(a);
    try {
      const task = await createTask(a, owner, { assignee_id: assignee.userId });
      const before = await openSocket(server.port, { token: assignee.accessToken });
      await relayAll(a);
      const [assigned] = await before.waitFor(1);
      before.close();
      await before.closed;

      await comment(a, owner, task.id, 'while nobody listened');
      const outcome = (
        await RequestContext.create(a.container.orm.em, async () =>
          relayOf(a, { publish: false }).execute({ limit: 100 }),
        )
      )._unsafeUnwrap();
      expect(outcome.notifications.map((n) => n.userId)).toEqual([assignee.userId]);
      expect((await inbox(a, assignee)).items.map((n) => n.type)).toEqual([
        'task.commented',
        'task.assigned',
      ]);
      expect(await relayAll(b)).toBe(0);

      const after = await openSocket(server.port, {
        token: assignee.accessToken,
        after: assigned!.id,
      });
      const [missed] = await after.waitFor(1);
      expect(missed).toMatchObject({ type: 'task.commented', task_id: task.id });
      after.close();
    } finally {
      await server.close(1_000);
    }
  });
  it('turns a project event into the concerned person’s notification, stored and pushed', async () => {
    const [admin, member] = [users[0]!, users[1]!];
    const server = await startServer(a);
    try {
      const socket = await openSocket(server.port, { token: member.accessToken });
      const project = { id: randomUUID(), name: 'Launch' };
      const occurredAt = new Date();
      await RequestContext.create(a.container.orm.em, async () => {
        const em = a.container.orm.em;
        await em.transactional(() =>
          new MikroOrmOutbox(em, new UuidV7Ids()).append([
            memberRemoved({ project, actorId: admin.userId, occurredAt }, member.userId),
            // Leaving by oneself tells no one.
            memberRemoved({ project, actorId: admin.userId, occurredAt }, admin.userId),
          ]),
        );
      });
      await relayAll(a);

      const [pushed] = await socket.waitFor(1);
      const expected = {
        type: 'project.member_removed',
        task_id: null,
        actor_id: admin.userId,
        data: { project_id: project.id, project_name: 'Launch', user_id: member.userId },
      };
      expect(pushed).toMatchObject(expected);
      expect((await inbox(a, member)).items[0]).toMatchObject(expected);
      expect((await inbox(a, admin)).items.map((n) => n.type)).not.toContain(
        'project.member_removed',
      );
      socket.close();
    } finally {
      await server.close(1_000);
    }
  });

  it('counts an event whose payload is not its type’s as failed, and relays the others', async () => {
    // A real task, so that only the payload can make the event fail (the claim's check and the
    // stored rows' check each refuse it; tests/unit/notifications/read-checks.test.ts holds each).
    const task = await createTask(a, users[0]!);
    await drain(a, 100);
    const [good] = await writeEvents(1);
    const bad = randomUUID();
    await sql(
      a,
      `insert into outbox_events (id, type, task_id, project_id, actor_id, recipients, payload, occurred_at)
       values (?, 'task.commented', ?, ?, ?, array[?]::uuid[], ?::jsonb, now())`,
      [
        bad,
        task.id,
        task.project_id,
        users[0]!.userId,
        users[1]!.userId,
        JSON.stringify({ title: 'T' }),
      ],
    );
    try {
      const outcome = await relay(a, 100);
      expect({ processed: outcome.processed, failed: outcome.failed }).toEqual({
        processed: 1,
        failed: 1,
      });
      const rows = await sql<{ id: string; processed: boolean; attempts: number }>(
        a,
        `select id, processed_at is not null as processed, attempts
           from outbox_events where id = any(?::uuid[]) order by id = ? desc`,
        [`{${good},${bad}}`, good],
      );
      expect(rows).toEqual([
        { id: good, processed: true, attempts: 0 },
        { id: bad, processed: false, attempts: 1 },
      ]);
    } finally {
      // The other tests drain the outbox: the bad row would count against them.
      await sql(a, 'delete from outbox_events where id = ?', [bad]);
    }
  });
});
