import { beforeEach, describe, expect, it } from 'vitest';
import {
  UpdateTask,
  type UpdateTaskInput,
} from '../../../src/modules/tasks/application/update-task.ts';
import type { Task } from '../../../src/modules/tasks/domain/task.ts';
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

describe('UpdateTask', () => {
  let bed: TasksTestbed;
  let task: Task;
  const patch = (input: Partial<UpdateTaskInput> & { actor: UpdateTaskInput['actor'] }) =>
    new UpdateTask(bed.ports).execute({ taskId: task.id, version: task.version, ...input });

  beforeEach(() => {
    bed = tasksTestbed();
    task = bed.seedTask({ assigneeId: ASSIGNEE, description: 'Draft', version: 3 });
  });

  it('applies a partial change for the owner, null clearing, and answers the fresh task', async () => {
    const view = (
      await patch({ actor: as(OWNER), title: 'Final report', description: null })
    )._unsafeUnwrap();

    expect(view.task.toProps()).toMatchObject({
      title: 'Final report',
      description: null,
      version: 4,
      updatedAt: NOW,
    });
    expect(bed.tasks.stored(task.id)).toEqual(view.task.toProps());
    expect(bed.outbox.events).toEqual([]);
  });

  it('lets the assignee complete the task and tells the owner', async () => {
    const view = (await patch({ actor: as(ASSIGNEE), status: 'completed' }))._unsafeUnwrap();

    expect(view.task.toProps()).toMatchObject({ status: 'completed', completedAt: NOW });
    expect(bed.outbox.events).toEqual([
      expect.objectContaining({
        type: 'task.status_changed',
        actorId: ASSIGNEE,
        recipients: [OWNER],
        payload: { title: task.title, from: 'pending', to: 'completed' },
      }),
    ]);
  });

  it('forbids the assignee anything but the status, storing nothing', async () => {
    const result = await patch({ actor: as(ASSIGNEE), status: 'completed', title: 'Mine now' });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'Forbidden', action: 'edit_task' });
    expect(bed.tasks.stored(task.id)).toEqual(task.toProps());
    expect(bed.outbox.events).toEqual([]);
  });

  it('answers not found to a stranger and for a soft-deleted task', async () => {
    expect((await patch({ actor: as(STRANGER), title: 'Hi' }))._unsafeUnwrapErr()).toEqual({
      type: 'TaskNotFound',
      taskId: task.id,
    });
    const gone = bed.seedTask({ deletedAt: NOW });
    const result = await new UpdateTask(bed.ports).execute({
      actor: as(OWNER),
      taskId: gone.id,
      version: 1,
      title: 'Back',
    });
    expect(result._unsafeUnwrapErr().type).toBe('TaskNotFound');
  });

  it('refuses a stale version with the current one, before judging the change', async () => {
    const result = await patch({ actor: as(OWNER), version: 2, title: 'x' });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'VersionConflict', currentVersion: 3 });
    expect(bed.tasks.stored(task.id)?.version).toBe(3);
  });

  it('reports a conflict, not an overwrite, when another write lands between read and write', async () => {
    bed.tasks.interleaveBeforeNextUpdate(() => bed.tasks.bumpVersion(task.id));

    const result = await patch({ actor: as(ASSIGNEE), status: 'in_progress' });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'VersionConflict', currentVersion: 4 });
    expect(bed.tasks.stored(task.id)?.status).toBe('pending');
    expect(bed.outbox.events).toEqual([]);
  });

  it('applies a change under a precondition on the current version, without a body version', async () => {
    const result = await patch({
      actor: as(OWNER),
      version: undefined,
      precondition: 3,
      title: 'Kept',
    });

    expect(result._unsafeUnwrap().task.toProps()).toMatchObject({ title: 'Kept', version: 4 });
  });

  it('fails a stale precondition before judging the body version, storing nothing', async () => {
    const result = await patch({ actor: as(OWNER), version: 2, precondition: 2, title: 'x y z' });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'PreconditionFailed', currentVersion: 3 });
    expect(bed.tasks.stored(task.id)?.version).toBe(3);
  });

  it('refuses a stale body version under a precondition that holds', async () => {
    const result = await patch({ actor: as(OWNER), version: 2, precondition: 3, title: 'x y z' });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'VersionConflict', currentVersion: 3 });
    expect(bed.tasks.stored(task.id)?.version).toBe(3);
  });

  it('fails the precondition, not overwrites, when another write lands between read and write', async () => {
    bed.tasks.interleaveBeforeNextUpdate(() => bed.tasks.bumpVersion(task.id));

    const result = await patch({
      actor: as(OWNER),
      version: undefined,
      precondition: 3,
      title: 'Late',
    });

    expect(result._unsafeUnwrapErr()).toEqual({ type: 'PreconditionFailed', currentVersion: 4 });
    expect(bed.tasks.stored(task.id)?.title).toBe(task.title);
    expect(bed.outbox.events).toEqual([]);
  });

  it('answers a patch that changes nothing with the task as it is, writing nothing', async () => {
    const view = (await patch({ actor: as(ASSIGNEE), status: 'pending' }))._unsafeUnwrap();
    expect(view.task.version).toBe(3);
    expect(bed.outbox.events).toEqual([]);
  });

  it('refuses invalid fields, one entry per field, storing nothing', async () => {
    const result = await patch({ actor: as(OWNER), title: ' ', remindAt: NOW });
    expect(result._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationFailed',
      errors: [{ field: 'title' }, { field: 'remind_at' }],
    });
    expect(bed.tasks.stored(task.id)?.version).toBe(3);
  });

  it("replaces the categories with the owner's own, and refuses anyone else's", async () => {
    const mine = bed.seedCategory({ name: 'Mine' });
    const theirs = bed.seedCategory({ userId: STRANGER });

    const refused = await patch({ actor: as(OWNER), categoryIds: [mine.id, theirs.id] });
    expect(refused._unsafeUnwrapErr()).toEqual({ type: 'CategoryNotFound', categoryId: theirs.id });
    expect(bed.tasks.stored(task.id)?.categoryIds).toEqual([]);

    const view = (await patch({ actor: as(OWNER), categoryIds: [mine.id] }))._unsafeUnwrap();
    expect(view.categories.map((c) => c.id)).toEqual([mine.id]);
  });

  it('reassigns through the patch only to an assignable user, and tells them', async () => {
    bed.users.add('unverified', { emailVerified: false });
    bed.users.add('bea');
    expect(
      (await patch({ actor: as(OWNER), assigneeId: 'unverified' }))._unsafeUnwrapErr(),
    ).toEqual({ type: 'AssigneeNotFound', assigneeId: 'unverified' });

    const view = (await patch({ actor: as(OWNER), assigneeId: 'bea' }))._unsafeUnwrap();
    expect(view.task.assigneeId).toBe('bea');
    expect(bed.outbox.events).toEqual([
      expect.objectContaining({
        type: 'task.assigned',
        recipients: ['bea'],
        payload: expect.objectContaining({ previousAssigneeId: ASSIGNEE }),
      }),
    ]);
  });

  it('moves the reminder with the due date and writes that to the outbox', async () => {
    const dueDate = inFuture(minutes(240));
    await patch({ actor: as(OWNER), dueDate, remindAt: inFuture(minutes(200)) });
    expect(bed.outbox.events).toEqual([
      expect.objectContaining({
        type: 'task.reminder_changed',
        recipients: [OWNER, ASSIGNEE],
        payload: {
          reminderAt: inFuture(minutes(200)).toISOString(),
          dueDate: dueDate.toISOString(),
        },
      }),
    ]);
  });

  it('rolls the change back when its events cannot be written', async () => {
    bed.outbox.failNextAppend();
    await expect(patch({ actor: as(OWNER), status: 'completed' })).rejects.toThrow();
    expect(bed.tasks.stored(task.id)).toEqual(task.toProps());
    expect(bed.outbox.events).toEqual([]);
  });
});
