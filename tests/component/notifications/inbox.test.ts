import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bearer, body, json, type Signed } from '../../support/identity/http-client.ts';
import {
  isolatedDatabase,
  type IsolatedDatabase,
} from '../../support/notifications/isolated-database.ts';
import {
  comment,
  createTask,
  inbox,
  patchTask,
  relayAll,
  sql,
  verifiedUser,
  type NotificationJson,
} from '../../support/notifications/notifications-kit.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

const prefix = uniqueQueuePrefix();
let db: IsolatedDatabase;
let t: TestApp;
beforeAll(async () => {
  db = await isolatedDatabase();
  t = await createTestApp({
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
  });
});
afterAll(async () => {
  await t?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

type Problem = { status: number; code: string; errors?: Array<{ field: string }> };
const post = (user: Signed, path: string) =>
  t.app.request(path, bearer(user.accessToken, { method: 'POST' }));

/** An owner, an assignee, and a task the owner assigned (one `task.assigned`, relayed). */
async function assignedTask() {
  const owner = await verifiedUser(t);
  const assignee = await verifiedUser(t);
  const task = await createTask(t, owner, { assignee_id: assignee.userId });
  await relayAll(t);
  return { owner, assignee, task };
}

describe('the outbox relay', () => {
  it('tells the new assignee, and not the owner who assigned them', async () => {
    const { owner, assignee, task } = await assignedTask();

    const { items } = await inbox(t, assignee);
    expect(items).toHaveLength(1);
    expect(items[0]).toEqual({
      id: expect.any(String),
      type: 'task.assigned',
      task_id: task.id,
      actor_id: owner.userId,
      data: {
        title: expect.any(String),
        assignee_id: assignee.userId,
        previous_assignee_id: null,
      },
      read_at: null,
      created_at: expect.any(String),
    });
    expect((await inbox(t, owner)).items).toEqual([]);
  });

  it('tells the owner about a status change by the assignee, and the assignee about a comment by the owner', async () => {
    const { owner, assignee, task } = await assignedTask();
    await patchTask(t, assignee, task.id, { status: 'in_progress' });
    await comment(t, owner, task.id);
    await relayAll(t);

    const ownerItems = (await inbox(t, owner)).items;
    expect(ownerItems.map((n) => [n.type, n.data.from, n.data.to])).toEqual([
      ['task.status_changed', 'pending', 'in_progress'],
    ]);
    expect(ownerItems[0]?.actor_id).toBe(assignee.userId);
    const assigneeItems = (await inbox(t, assignee)).items;
    expect(assigneeItems.map((n) => n.type)).toEqual(['task.commented', 'task.assigned']);
    expect(assigneeItems[0]?.data.comment_id).toEqual(expect.any(String));
  });

  it('creates nothing twice when an event is processed again', async () => {
    const { assignee, task } = await assignedTask();
    await sql(t, 'update outbox_events set processed_at = null where task_id = ?', [task.id]);
    expect(await relayAll(t)).toBeGreaterThan(0);
    expect((await inbox(t, assignee)).items).toHaveLength(1);
  });

  it('records a reminder change without notifying anyone', async () => {
    const owner = await verifiedUser(t);
    const due = new Date(Date.now() + 3 * 3600_000);
    const task = await createTask(t, owner, { due_date: due.toISOString() });
    await relayAll(t);
    expect((await inbox(t, owner)).items).toEqual([]);
    const [reminder] = await sql<{ reminder_at: string; fired_at: string | null }>(
      t,
      'select reminder_at, fired_at from task_reminders where task_id = ?',
      [task.id],
    );
    expect(Date.parse(reminder!.reminder_at)).toBe(due.getTime() - 60 * 60_000);
    expect(reminder?.fired_at).toBeNull();
  });
});

describe('GET /api/v1/notifications', () => {
  it('pages newest first with a keyset cursor, without gaps or repeats', async () => {
    const { owner, assignee, task } = await assignedTask();
    for (let i = 1; i <= 4; i += 1) await comment(t, owner, task.id, `comment ${i}`);
    await relayAll(t);

    const seen: NotificationJson[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await inbox(t, assignee, query);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor);

    expect(pages).toBe(3);
    expect(seen.map((n) => n.type)).toEqual([
      'task.commented',
      'task.commented',
      'task.commented',
      'task.commented',
      'task.assigned',
    ]);
    expect(new Set(seen.map((n) => n.id)).size).toBe(5);
    const times = seen.map((n) => Date.parse(n.created_at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it('filters unread ones, and read-all marks them all read', async () => {
    const { owner, assignee, task } = await assignedTask();
    await comment(t, owner, task.id);
    await relayAll(t);
    const [newest, oldest] = (await inbox(t, assignee)).items;

    expect((await post(assignee, `/api/v1/notifications/${newest!.id}/read`)).status).toBe(204);
    const unread = await inbox(t, assignee, '?unread_only=true');
    expect(unread.items.map((n) => n.id)).toEqual([oldest!.id]);
    const all = await inbox(t, assignee, '?unread_only=false');
    expect(all.items[0]?.read_at).toEqual(expect.any(String));

    expect((await post(assignee, '/api/v1/notifications/read-all')).status).toBe(204);
    expect((await inbox(t, assignee, '?unread_only=true')).items).toEqual([]);
  });

  it('keeps the first read time when a notification is read again', async () => {
    const { assignee } = await assignedTask();
    const [item] = (await inbox(t, assignee)).items;
    await post(assignee, `/api/v1/notifications/${item!.id}/read`);
    const first = (await inbox(t, assignee)).items[0]?.read_at;
    expect((await post(assignee, `/api/v1/notifications/${item!.id}/read`)).status).toBe(204);
    expect((await inbox(t, assignee)).items[0]?.read_at).toBe(first);
  });

  it('rejects a cursor it did not issue and out-of-range limits (400 validation_failed)', async () => {
    const user = await verifiedUser(t);
    for (const query of ['?cursor=not-a-cursor', '?limit=0', '?limit=101', '?unread_only=yes']) {
      const res = await t.app.request(`/api/v1/notifications${query}`, bearer(user.accessToken));
      expect(res.status).toBe(400);
      expect(await body<Problem>(res)).toMatchObject({ code: 'validation_failed' });
    }
  });

  it('requires a bearer token (401)', async () => {
    const res = await t.app.request('/api/v1/notifications');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect((await t.app.request('/api/v1/notifications/read-all', json({}))).status).toBe(401);
  });
});

describe('POST /api/v1/notifications/{notification_id}/read', () => {
  it('answers 404 for another user’s notification and leaves it unread', async () => {
    const { assignee } = await assignedTask();
    const stranger = await verifiedUser(t);
    const [item] = (await inbox(t, assignee)).items;

    const res = await post(stranger, `/api/v1/notifications/${item!.id}/read`);
    expect(res.status).toBe(404);
    expect(await body<Problem>(res)).toMatchObject({ status: 404, code: 'not_found' });
    expect((await inbox(t, assignee)).items[0]?.read_at).toBeNull();
    expect((await inbox(t, stranger)).items).toEqual([]);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const user = await verifiedUser(t);
    const unknown = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
    expect((await post(user, `/api/v1/notifications/${unknown}/read`)).status).toBe(404);
    const bad = await post(user, '/api/v1/notifications/nope/read');
    expect(bad.status).toBe(400);
    expect((await body<Problem>(bad)).errors?.[0]?.field).toBe('notification_id');
  });
});
