import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Signed } from '../../support/identity/http-client.ts';
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
  verifiedUser,
} from '../../support/notifications/notifications-kit.ts';
import {
  openSocket,
  settle,
  startServer,
  type LiveClient,
} from '../../support/notifications/live-client.ts';
import { flushQueueKeys, uniqueQueuePrefix } from '../../support/notifications/queue-keys.ts';
import { setRole, sharedProject } from '../../support/tasks/shared-projects.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

/**
 * Who hears of a task in a shared project: its creator, its assignee and everyone who commented,
 * never the actor, and only those who can still see the task when the event is relayed.
 */

const prefix = uniqueQueuePrefix();
let db: IsolatedDatabase;
let t: TestApp;
let server: Awaited<ReturnType<typeof startServer>>;
const sockets: LiveClient[] = [];
let creator: Signed;
let assignee: Signed;
let commenter: Signed;
let leaver: Signed;
beforeAll(async () => {
  db = await isolatedDatabase();
  t = await createTestApp({
    APP_ROLE: 'api',
    DATABASE_URL: db.url,
    QUEUE_PREFIX: prefix,
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
  });
  [creator, assignee, commenter, leaver] = await Promise.all([
    verifiedUser(t),
    verifiedUser(t),
    verifiedUser(t),
    verifiedUser(t),
  ]);
  server = await startServer(t);
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close(1_000);
  await t?.close();
  await flushQueueKeys(inject('redisUrl'), prefix);
  await db?.drop();
});

const typesFor = async (user: Signed, taskId: string) =>
  (await inbox(t, user)).items
    .filter((n) => n.task_id === taskId)
    .map((n) => n.type)
    .sort();

describe('task notifications in a shared project', () => {
  it('reach the creator, the assignee and the commenters, but no one removed before the relay', async () => {
    const projectId = await sharedProject(t, [
      [creator.userId, 'owner'],
      [assignee.userId, 'editor'],
      [commenter.userId, 'viewer'],
      [leaver.userId, 'viewer'],
    ]);
    const task = await createTask(t, creator, {
      project_id: projectId,
      assignee_id: assignee.userId,
    });
    await comment(t, commenter, task.id, 'I am watching this');
    await comment(t, leaver, task.id, 'Me too, for now');
    await relayAll(t);

    const [watching, leaving] = await Promise.all(
      [commenter, leaver].map((user) => openSocket(server.port, { token: user.accessToken })),
    );
    sockets.push(watching!, leaving!);

    // Written while the leaver is a member, relayed once they are not.
    await patchTask(t, assignee, task.id, { status: 'in_progress' });
    await setRole(t, projectId, leaver.userId, null);
    await relayAll(t);

    expect(await watching!.waitFor(1)).toMatchObject([
      { type: 'task.status_changed', task_id: task.id },
    ]);
    await settle();
    expect(leaving!.received).toEqual([]);

    expect(await typesFor(creator, task.id)).toEqual([
      'task.commented',
      'task.commented',
      'task.status_changed',
    ]);
    expect(await typesFor(assignee, task.id)).toEqual([
      'task.assigned',
      'task.commented',
      'task.commented',
    ]);
    expect(await typesFor(commenter, task.id)).toEqual(['task.commented', 'task.status_changed']);
    expect(await typesFor(leaver, task.id)).toEqual([]);
  });
});
