import { beforeEach, describe, expect, it } from 'vitest';
import { AddTaskCategory } from '../../../src/modules/tasks/application/add-task-category.ts';
import { AssignTask } from '../../../src/modules/tasks/application/assign-task.ts';
import { DeleteTask } from '../../../src/modules/tasks/application/delete-task.ts';
import { GetTask } from '../../../src/modules/tasks/application/get-task.ts';
import { RemoveTaskCategory } from '../../../src/modules/tasks/application/remove-task-category.ts';
import { UnassignTask } from '../../../src/modules/tasks/application/unassign-task.ts';
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

describe('task commands', () => {
  let bed: TasksTestbed;
  let task: Task;

  beforeEach(() => {
    bed = tasksTestbed();
    task = bed.seedTask({ dueDate: inFuture(minutes(180)) });
  });

  describe('GetTask', () => {
    it('shows the task with its categories and how many comments and files hang off it', async () => {
      const category = bed.seedCategory({ name: 'Work' });
      const filed = bed.seedTask({ assigneeId: ASSIGNEE, categoryIds: [category.id] });
      bed.seedComment({ taskId: filed.id });
      bed.seedComment({ taskId: filed.id });
      bed.seedAttachment({ taskId: filed.id });

      const view = (
        await new GetTask(bed.ports).execute({ actor: as(ASSIGNEE), taskId: filed.id })
      )._unsafeUnwrap();

      expect(view.task.id).toBe(filed.id);
      expect(view.categories.map((c) => c.name)).toEqual(['Work']);
      expect(view).toMatchObject({ commentCount: 2, attachmentCount: 1 });
    });

    it('answers not found for a soft-deleted task, even to its owner', async () => {
      const gone = bed.seedTask({ deletedAt: NOW });
      const result = await new GetTask(bed.ports).execute({ actor: as(OWNER), taskId: gone.id });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'TaskNotFound', taskId: gone.id });
    });
  });

  describe('DeleteTask', () => {
    it('soft-deletes and calls the reminder off in the same transaction', async () => {
      const result = await new DeleteTask(bed.ports).execute({ actor: as(OWNER), taskId: task.id });

      expect(result.isOk()).toBe(true);
      expect(bed.tasks.stored(task.id)).toMatchObject({ deletedAt: NOW, version: 2 });
      expect(bed.outbox.events).toEqual([
        expect.objectContaining({
          type: 'task.reminder_changed',
          taskId: task.id,
          payload: expect.objectContaining({ reminderAt: null }),
        }),
      ]);
    });

    it('decides again on the fresh task when a concurrent write wins the race', async () => {
      bed.tasks.interleaveBeforeNextUpdate(() => bed.tasks.bumpVersion(task.id));

      expect(
        (await new DeleteTask(bed.ports).execute({ actor: as(OWNER), taskId: task.id })).isOk(),
      ).toBe(true);
      expect(bed.tasks.stored(task.id)).toMatchObject({ deletedAt: NOW, version: 3 });
      expect(bed.outbox.events).toHaveLength(1);
    });

    it('gives up with a conflict after losing the race three times in a row', async () => {
      bed.tasks.interleaveBeforeNextUpdate(() => bed.tasks.bumpVersion(task.id), 3);

      const result = await new DeleteTask(bed.ports).execute({ actor: as(OWNER), taskId: task.id });

      expect(result._unsafeUnwrapErr()).toEqual({ type: 'VersionConflict', currentVersion: 4 });
      expect(bed.tasks.stored(task.id)?.deletedAt).toBeNull();
    });

    it('answers not found when the task is deleted meanwhile', async () => {
      bed.tasks.interleaveBeforeNextUpdate(() => {
        bed.db.tables.tasks.get(task.id)!.deletedAt = NOW;
      });
      const result = await new DeleteTask(bed.ports).execute({ actor: as(OWNER), taskId: task.id });
      expect(result._unsafeUnwrapErr().type).toBe('TaskNotFound');
      expect(bed.outbox.events).toEqual([]);
    });
  });

  describe('AssignTask and UnassignTask', () => {
    it('assigns an active, verified user and tells them, in one transaction', async () => {
      const view = (
        await new AssignTask(bed.ports).execute({
          actor: as(OWNER),
          taskId: task.id,
          assigneeId: ASSIGNEE,
        })
      )._unsafeUnwrap();

      expect(view.task.assigneeId).toBe(ASSIGNEE);
      expect(bed.outbox.events.map((e) => [e.type, e.recipients])).toEqual([
        ['task.assigned', [ASSIGNEE]],
        ['task.reminder_changed', [OWNER, ASSIGNEE]],
      ]);
    });

    it('refuses a user who cannot be assigned, changing nothing', async () => {
      bed.users.add('disabled', { isActive: false });
      for (const assigneeId of ['disabled', 'ghost']) {
        const result = await new AssignTask(bed.ports).execute({
          actor: as(OWNER),
          taskId: task.id,
          assigneeId,
        });
        expect(result._unsafeUnwrapErr()).toEqual({ type: 'AssigneeNotFound', assigneeId });
      }
      expect(bed.tasks.stored(task.id)?.assigneeId).toBeNull();
      expect(bed.outbox.events).toEqual([]);
    });

    it('treats assigning the current assignee again as done, writing nothing', async () => {
      const assigned = bed.seedTask({ assigneeId: ASSIGNEE });
      const view = (
        await new AssignTask(bed.ports).execute({
          actor: as(OWNER),
          taskId: assigned.id,
          assigneeId: ASSIGNEE,
        })
      )._unsafeUnwrap();
      expect(view.task.version).toBe(1);
      expect(bed.outbox.events).toEqual([]);
    });

    it('unassigns, and unassigning a task without assignee changes nothing', async () => {
      const assigned = bed.seedTask({ assigneeId: ASSIGNEE });
      const unassign = new UnassignTask(bed.ports);

      expect((await unassign.execute({ actor: as(OWNER), taskId: assigned.id })).isOk()).toBe(true);
      expect(bed.tasks.stored(assigned.id)).toMatchObject({ assigneeId: null, version: 2 });
      expect((await unassign.execute({ actor: as(OWNER), taskId: assigned.id })).isOk()).toBe(true);
      expect(bed.tasks.stored(assigned.id)?.version).toBe(2);
    });
  });

  describe('AddTaskCategory and RemoveTaskCategory', () => {
    it('files the task under a category of its owner and answers the fresh task', async () => {
      const category = bed.seedCategory({ name: 'Errands' });
      const view = (
        await new AddTaskCategory(bed.ports).execute({
          actor: as(OWNER),
          taskId: task.id,
          categoryId: category.id,
        })
      )._unsafeUnwrap();

      expect(view.categories.map((c) => c.name)).toEqual(['Errands']);
      expect(view.task.version).toBe(2);
    });

    it('answers already assigned for a category the task has', async () => {
      const category = bed.seedCategory();
      const filed = bed.seedTask({ categoryIds: [category.id] });
      const result = await new AddTaskCategory(bed.ports).execute({
        actor: as(OWNER),
        taskId: filed.id,
        categoryId: category.id,
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'AlreadyAssigned',
        categoryId: category.id,
      });
    });

    it("never attaches another user's category: it is not found", async () => {
      const theirs = bed.seedCategory({ userId: STRANGER });
      const result = await new AddTaskCategory(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        categoryId: theirs.id,
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'CategoryNotFound',
        categoryId: theirs.id,
      });
      expect(bed.tasks.stored(task.id)?.categoryIds).toEqual([]);
    });

    it('removes a category, and answers not found for one the task is not filed under', async () => {
      const category = bed.seedCategory();
      const filed = bed.seedTask({ categoryIds: [category.id] });
      const remove = new RemoveTaskCategory(bed.ports);
      const input = { actor: as(OWNER), taskId: filed.id, categoryId: category.id };

      expect((await remove.execute(input)).isOk()).toBe(true);
      expect(bed.tasks.stored(filed.id)?.categoryIds).toEqual([]);
      expect((await remove.execute(input))._unsafeUnwrapErr()).toEqual({
        type: 'CategoryNotFound',
        categoryId: category.id,
      });
    });
  });
});
