import type { ResultAsync } from 'neverthrow';
import { beforeEach, describe, expect, it } from 'vitest';
import { createUseCases } from '../../../src/modules/tasks/tasks.use-cases.ts';
import {
  as,
  ASSIGNEE,
  inFuture,
  minutes,
  NOW,
  OWNER,
  STRANGER,
} from '../../support/tasks/builders.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';

let bed: TasksTestbed;
let cases: ReturnType<typeof createUseCases>;
let projectId: string;

const EDITOR = 'user-editor';
const ADMIN = 'user-admin';

beforeEach(async () => {
  bed = tasksTestbed();
  cases = createUseCases(bed.ports);
  const created = await cases.createProject.execute({ actor: as(OWNER), name: 'Launch' });
  projectId = created._unsafeUnwrap().project.id;
  bed.projects.addMember(projectId, ADMIN, 'admin', NOW);
  bed.projects.addMember(projectId, EDITOR, 'editor', NOW);
  bed.projects.addMember(projectId, ASSIGNEE, 'viewer', NOW);
});

const errorOf = async <T, E>(result: ResultAsync<T, E>): Promise<E> =>
  (await result)._unsafeUnwrapErr();

describe('UpdateProject', () => {
  it('judges who may before the version: an editor with a stale version is forbidden', async () => {
    const refused = await errorOf(
      cases.updateProject.execute({ actor: as(EDITOR), projectId, name: 'X', version: 7 }),
    );
    expect(refused).toEqual({ type: 'Forbidden', action: 'manage_project' });
  });

  it('judges If-Match before the body version, naming the project', async () => {
    const refused = await errorOf(
      cases.updateProject.execute({
        actor: as(ADMIN),
        projectId,
        name: 'X',
        version: 9,
        precondition: 4,
      }),
    );
    expect(refused).toEqual({ type: 'PreconditionFailed', currentVersion: 1, resource: 'project' });
  });

  it('hides the project from a stranger', async () => {
    const refused = await errorOf(
      cases.updateProject.execute({ actor: as(STRANGER), projectId, name: 'X', version: 1 }),
    );
    expect(refused).toEqual({ type: 'ProjectNotFound', projectId });
  });
});

describe('DeleteProject', () => {
  it('writes a reminder cancellation for the tasks whose reminder stood, and no other event', async () => {
    const due = bed.seedTask({ projectId, dueDate: inFuture(minutes(600)) });
    const plain = bed.seedTask({ projectId });
    const done = bed.seedTask({ projectId, status: 'completed', dueDate: inFuture(minutes(600)) });
    (await cases.deleteProject.execute({ actor: as(OWNER), projectId }))._unsafeUnwrap();

    expect(bed.outbox.events.map((e) => [e.type, e.taskId, e.payload])).toEqual([
      ['task.reminder_changed', due.id, { reminderAt: null, dueDate: due.dueDate!.toISOString() }],
    ]);
    for (const task of [due, plain, done]) {
      expect(bed.db.tables.tasks.get(task.id)?.deletedAt).toEqual(NOW);
    }
    expect(await bed.projects.roleOf(projectId, OWNER)).toBeUndefined();
  });

  it('is refused to an admin, and leaves everything in place', async () => {
    const task = bed.seedTask({ projectId });
    const refused = await errorOf(cases.deleteProject.execute({ actor: as(ADMIN), projectId }));
    expect(refused).toEqual({ type: 'Forbidden', action: 'delete_project' });
    expect(bed.db.tables.tasks.get(task.id)?.deletedAt).toBeNull();
  });
});

describe('RemoveMember', () => {
  it('unassigns the open tasks, re-addresses their reminders and tells the member', async () => {
    const open = bed.seedTask({ projectId, assigneeId: EDITOR, dueDate: inFuture(minutes(600)) });
    const done = bed.seedTask({ projectId, assigneeId: EDITOR, status: 'completed' });
    (
      await cases.removeMember.execute({ actor: as(ADMIN), projectId, userId: EDITOR })
    )._unsafeUnwrap();

    expect(bed.db.tables.tasks.get(open.id)).toMatchObject({ assigneeId: null, version: 2 });
    expect(bed.db.tables.tasks.get(done.id)?.assigneeId).toBe(EDITOR);
    expect(bed.outbox.events.map((e) => [e.type, e.actorId, e.recipients])).toEqual([
      ['task.reminder_changed', ADMIN, [OWNER]],
      ['project.member_removed', ADMIN, [EDITOR]],
    ]);
  });

  it('lets a member leave without being told, and keeps the owner in', async () => {
    (
      await cases.removeMember.execute({ actor: as(ASSIGNEE), projectId, userId: ASSIGNEE })
    )._unsafeUnwrap();
    expect(bed.outbox.events.map((e) => [e.type, e.recipients])).toEqual([
      ['project.member_removed', []],
    ]);
    const refused = await errorOf(
      cases.removeMember.execute({ actor: as(OWNER), projectId, userId: OWNER }),
    );
    expect(refused).toEqual({ type: 'OwnerCannotLeave', projectId });
  });

  it('rolls everything back when the outbox fails', async () => {
    const open = bed.seedTask({ projectId, assigneeId: EDITOR });
    bed.outbox.failNextAppend();
    await expect(
      cases.removeMember.execute({ actor: as(ADMIN), projectId, userId: EDITOR }),
    ).rejects.toThrow('outbox unavailable');
    expect(await bed.projects.roleOf(projectId, EDITOR)).toBe('editor');
    expect(bed.db.tables.tasks.get(open.id)?.assigneeId).toBe(EDITOR);
  });
});

describe('TransferProject', () => {
  it('makes the member the owner and the caller an admin', async () => {
    const view = (
      await cases.transferProject.execute({ actor: as(OWNER), projectId, userId: EDITOR })
    )._unsafeUnwrap();
    expect(view.role).toBe('admin');
    expect(await bed.projects.roleOf(projectId, EDITOR)).toBe('owner');
  });

  it('refuses a non-member as the new owner', async () => {
    const refused = await errorOf(
      cases.transferProject.execute({ actor: as(OWNER), projectId, userId: STRANGER }),
    );
    expect(refused).toEqual({ type: 'MemberNotFound', userId: STRANGER });
    expect(await bed.projects.roleOf(projectId, OWNER)).toBe('owner');
  });
});

describe('ListProjects', () => {
  it('walks every project by cursor, Inbox first, and refuses a made-up cursor', async () => {
    for (const name of ['B', 'C']) {
      bed.ports.clock.set(new Date(NOW.getTime() + name.charCodeAt(0)));
      await cases.createProject.execute({ actor: as(OWNER), name });
    }
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const page = (
        await cases.listProjects.execute({
          actor: as(OWNER),
          archived: false,
          limit: 1,
          ...(cursor ? { cursor } : {}),
        })
      )._unsafeUnwrap();
      names.push(...page.items.map((v) => v.project.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(names).toEqual(['Inbox', 'C', 'B', 'Launch']);
    const refused = await errorOf(
      cases.listProjects.execute({ actor: as(OWNER), archived: false, limit: 1, cursor: 'e30' }),
    );
    expect(refused).toMatchObject({ type: 'ValidationFailed' });
  });
});

describe('AdminListProjects', () => {
  it('is for site admins only', async () => {
    bed.users.addAdmin('user-site-admin');
    const page = (
      await cases.adminListProjects.execute({
        actor: as('user-site-admin'),
        page: 1,
        limit: 10,
        q: 'launch',
      })
    )._unsafeUnwrap();
    expect(page.items.map((v) => [v.project.name, v.owner.userId])).toEqual([['Launch', OWNER]]);
    expect(
      await errorOf(cases.adminListProjects.execute({ actor: as(OWNER), page: 1, limit: 10 })),
    ).toEqual({
      type: 'Forbidden',
      action: 'administer',
    });
  });
});
