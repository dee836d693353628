import { randomUUID } from 'node:crypto';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { tasksDb } from '../../../src/modules/tasks/adapters/persistence/tasks-db.ts';
import type { TestApp } from '../test-app.ts';

/**
 * Shared projects and memberships written straight into the tables, as the project routes leave
 * them: the task-access tests need projects in every state without depending on those routes.
 */
const db = (t: TestApp) => tasksDb(t.container.orm.em.fork());

/** A live shared project with these members (exactly one of them `owner`); resolves its id. */
export async function sharedProject(
  t: TestApp,
  members: ReadonlyArray<readonly [userId: string, role: ProjectRole]>,
  name = 'Shared project',
): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db(t)
    .insertInto('projects')
    .values({
      id,
      name,
      description: null,
      color: null,
      inbox_user_id: null,
      archived_at: null,
      deleted_at: null,
      created_at: now,
      updated_at: now,
      version: 1,
    })
    .execute();
  await db(t)
    .insertInto('project_members')
    .values(
      members.map(([userId, role]) => ({ project_id: id, user_id: userId, role, joined_at: now })),
    )
    .execute();
  return id;
}

export async function archiveProject(t: TestApp, projectId: string): Promise<void> {
  await db(t)
    .updateTable('projects')
    .set({ archived_at: new Date() })
    .where('id', '=', projectId)
    .execute();
}

/** Changes a member's role, or (with `null`) removes them, as the member routes would. */
export async function setRole(
  t: TestApp,
  projectId: string,
  userId: string,
  role: ProjectRole | null,
): Promise<void> {
  const members = db(t);
  if (role === null) {
    await members
      .deleteFrom('project_members')
      .where('project_id', '=', projectId)
      .where('user_id', '=', userId)
      .execute();
    return;
  }
  await members
    .updateTable('project_members')
    .set({ role })
    .where('project_id', '=', projectId)
    .where('user_id', '=', userId)
    .execute();
}

/** The live tasks of a project, newest last. */
export async function taskIdsIn(t: TestApp, projectId: string): Promise<string[]> {
  const rows = await db(t)
    .selectFrom('tasks')
    .select('id')
    .where('project_id', '=', projectId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => row.id);
}

/** A user's Inbox id. */
export async function inboxIdOf(t: TestApp, userId: string): Promise<string> {
  const row = await db(t)
    .selectFrom('projects')
    .select('id')
    .where('inbox_user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.id;
}
