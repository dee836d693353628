import { beforeEach, describe, expect, it } from 'vitest';
import { CreateTask } from '../../../src/modules/tasks/application/create-task.ts';
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

describe('CreateTask', () => {
  let bed: TasksTestbed;
  let createTask: CreateTask;

  beforeEach(() => {
    bed = tasksTestbed();
    createTask = new CreateTask(bed.ports);
  });

  it('creates a task owned by the caller, with their categories by name', async () => {
    const work = bed.seedCategory({ name: 'Work' });
    const admin = bed.seedCategory({ name: 'admin' });

    const view = (
      await createTask.execute({
        actor: as(OWNER),
        title: ' Book the venue ',
        priority: 'high',
        categoryIds: [work.id, admin.id],
      })
    )._unsafeUnwrap();

    expect(view.task.toProps()).toMatchObject({
      ownerId: OWNER,
      title: 'Book the venue',
      priority: 'high',
      status: 'pending',
      createdAt: NOW,
      version: 1,
    });
    expect(view.categories.map((c) => c.name)).toEqual(['admin', 'Work']);
    expect(view).toMatchObject({ commentCount: 0, attachmentCount: 0 });
    expect(bed.tasks.stored(view.task.id)).toEqual(view.task.toProps());
  });

  it('writes the assignment and the reminder to the outbox with the task', async () => {
    const dueDate = inFuture(minutes(180));
    const view = (
      await createTask.execute({ actor: as(OWNER), title: 'Ship', assigneeId: ASSIGNEE, dueDate })
    )._unsafeUnwrap();

    expect(bed.outbox.events).toEqual([
      expect.objectContaining({
        type: 'task.assigned',
        taskId: view.task.id,
        recipients: [ASSIGNEE],
      }),
      expect.objectContaining({
        type: 'task.reminder_changed',
        recipients: [OWNER, ASSIGNEE],
        payload: {
          reminderAt: inFuture(minutes(120)).toISOString(),
          dueDate: dueDate.toISOString(),
        },
      }),
    ]);
  });

  it('refuses invalid fields, storing nothing and writing no event', async () => {
    const result = await createTask.execute({ actor: as(OWNER), title: 'ab', dueDate: NOW });

    expect(result._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationFailed',
      errors: [{ field: 'title' }, { field: 'due_date' }],
    });
    expect(bed.db.tables.tasks.size).toBe(0);
    expect(bed.outbox.events).toEqual([]);
  });

  it("answers not found for another user's category, or an unknown one", async () => {
    const theirs = bed.seedCategory({ userId: STRANGER });
    for (const categoryId of [theirs.id, 'no-such-category']) {
      const result = await createTask.execute({
        actor: as(OWNER),
        title: 'Sneaky',
        categoryIds: [categoryId],
      });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'CategoryNotFound', categoryId });
    }
    expect(bed.db.tables.tasks.size).toBe(0);
  });

  it('answers not found for an assignee who is unknown, inactive or unverified', async () => {
    bed.users.add('inactive', { isActive: false });
    bed.users.add('unverified', { emailVerified: false });
    for (const assigneeId of ['nobody', 'inactive', 'unverified']) {
      const result = await createTask.execute({ actor: as(OWNER), title: 'Task', assigneeId });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'AssigneeNotFound', assigneeId });
    }
    expect(bed.outbox.events).toEqual([]);
  });

  it('stores neither the task nor its events when the outbox write fails', async () => {
    bed.outbox.failNextAppend();
    await expect(
      createTask.execute({ actor: as(OWNER), title: 'Doomed', assigneeId: ASSIGNEE }),
    ).rejects.toThrow('outbox unavailable');
    expect(bed.db.tables.tasks.size).toBe(0);
    expect(bed.outbox.events).toEqual([]);
  });
});
