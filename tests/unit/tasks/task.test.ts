import { describe, expect, it } from 'vitest';
import {
  DESCRIPTION_MAX,
  TITLE_MAX,
  TITLE_MIN,
} from '../../../src/modules/tasks/domain/task-fields.ts';
import { Task, type NewTask } from '../../../src/modules/tasks/domain/task.ts';
import {
  inInbox,
  ASSIGNEE,
  aTask,
  inFuture,
  minutes,
  NOW,
  OWNER,
  STRANGER,
} from '../../support/tasks/builders.ts';

const later = inFuture(minutes(5));
const create = (input: Partial<NewTask> = {}) =>
  Task.create(
    { id: 't1', projectId: 'p1', ownerId: OWNER, title: 'Plan the offsite', ...input },
    NOW,
  );
const fieldsOf = (result: ReturnType<typeof create>) =>
  result._unsafeUnwrapErr().errors.map((error) => error.field);

describe('Task.create', () => {
  it('creates a pending, medium task with a trimmed title at version 1', () => {
    const task = create({ title: '  Plan the offsite  ' })._unsafeUnwrap();

    expect(task.toProps()).toEqual({
      id: 't1',
      projectId: 'p1',
      ownerId: OWNER,
      assigneeId: null,
      title: 'Plan the offsite',
      description: null,
      status: 'pending',
      priority: 'medium',
      dueDate: null,
      remindAt: null,
      categoryIds: [],
      createdAt: NOW,
      updatedAt: NOW,
      completedAt: null,
      deletedAt: null,
      version: 1,
    });
  });

  it('stamps completed_at when the task is created completed', () => {
    expect(create({ status: 'completed' })._unsafeUnwrap().completedAt).toEqual(NOW);
  });

  it('keeps each category id once', () => {
    expect(create({ categoryIds: ['c1', 'c2', 'c1'] })._unsafeUnwrap().categoryIds).toEqual([
      'c1',
      'c2',
    ]);
  });

  it('takes titles of 3 to 200 characters after trimming, counting an emoji as one', () => {
    expect(create({ title: `  ${'a'.repeat(TITLE_MIN)}  ` }).isOk()).toBe(true);
    expect(create({ title: '🚀'.repeat(TITLE_MAX) }).isOk()).toBe(true);
    expect(fieldsOf(create({ title: `  ${'a'.repeat(TITLE_MIN - 1)}  ` }))).toEqual(['title']);
    expect(fieldsOf(create({ title: 'a'.repeat(TITLE_MAX + 1) }))).toEqual(['title']);
  });

  it('rejects a title with a line break or another control character', () => {
    expect(fieldsOf(create({ title: 'Two\nlines' }))).toEqual(['title']);
  });

  it('takes a description of up to 2000 characters', () => {
    expect(create({ description: 'd'.repeat(DESCRIPTION_MAX) }).isOk()).toBe(true);
    expect(fieldsOf(create({ description: 'd'.repeat(DESCRIPTION_MAX + 1) }))).toEqual([
      'description',
    ]);
  });

  it('rejects a due date that is not in the future, or not a date at all', () => {
    expect(fieldsOf(create({ dueDate: NOW }))).toEqual(['due_date']);
    expect(fieldsOf(create({ dueDate: new Date('nonsense') }))).toEqual(['due_date']);
  });

  it('wants remind_at in the future, before the due date, and only with a due date', () => {
    const due = inFuture(minutes(60));
    expect(create({ dueDate: due, remindAt: inFuture(minutes(30)) }).isOk()).toBe(true);
    expect(fieldsOf(create({ dueDate: due, remindAt: NOW }))).toEqual(['remind_at']);
    expect(fieldsOf(create({ dueDate: due, remindAt: due }))).toEqual(['remind_at']);
    expect(fieldsOf(create({ remindAt: later }))).toEqual(['remind_at']);
  });

  it('reports every offending field at once, one entry each', () => {
    const result = create({
      title: 'x',
      description: 'd'.repeat(2001),
      dueDate: NOW,
      remindAt: NOW,
    });
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'ValidationFailed',
      errors: [
        { field: 'title', message: expect.any(String) },
        { field: 'description', message: expect.any(String) },
        { field: 'due_date', message: 'must be in the future' },
        { field: 'remind_at', message: 'must be in the future' },
      ],
    });
  });
});

describe('Task.update', () => {
  it('changes only the fields present, null clearing, and bumps the version once', () => {
    const task = aTask({ description: 'old', dueDate: later, priority: 'low', version: 4 });

    const changed = task.update(
      { description: null, dueDate: null, priority: 'high' },
      inInbox(OWNER),
      NOW,
    );

    expect(changed._unsafeUnwrap()).toEqual(['description', 'priority', 'dueDate']);
    expect(task.toProps()).toMatchObject({
      title: 'Write the quarterly report',
      description: null,
      dueDate: null,
      priority: 'high',
      updatedAt: NOW,
      version: 5,
    });
  });

  it('treats fields sent with their current values as no change at all', () => {
    const task = aTask({ title: 'Same', dueDate: later });
    const before = task.toProps();

    expect(
      task
        .update({ title: ' Same ', dueDate: new Date(later) }, inInbox(OWNER), NOW)
        ._unsafeUnwrap(),
    ).toEqual([]);
    expect(task.toProps()).toEqual(before);
  });

  it('lets an overdue task be renamed without judging its old due date again', () => {
    const task = aTask({ dueDate: new Date('2029-12-15T00:00:00Z') });
    expect(task.update({ title: 'Renamed' }, inInbox(OWNER), NOW).isOk()).toBe(true);
  });

  it('rejects a due date moved to before the standing reminder, naming remind_at', () => {
    const task = aTask({ dueDate: inFuture(minutes(120)), remindAt: inFuture(minutes(60)) });
    const result = task.update({ dueDate: inFuture(minutes(30)) }, inInbox(OWNER), NOW);
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'ValidationFailed',
      errors: [{ field: 'remind_at', message: 'must be before due_date' }],
    });
  });

  it('rejects clearing the due date while a reminder stands', () => {
    const task = aTask({ dueDate: inFuture(minutes(120)), remindAt: inFuture(minutes(60)) });
    expect(task.update({ dueDate: null }, inInbox(OWNER), NOW)._unsafeUnwrapErr()).toMatchObject({
      errors: [{ field: 'remind_at', message: 'requires a due_date' }],
    });
    expect(task.update({ dueDate: null, remindAt: null }, inInbox(OWNER), NOW).isOk()).toBe(true);
  });

  it('leaves the task untouched when the patch is rejected', () => {
    const task = aTask();
    const before = task.toProps();
    expect(task.update({ title: 'ok title', dueDate: NOW }, inInbox(OWNER), NOW).isErr()).toBe(
      true,
    );
    expect(task.toProps()).toEqual(before);
  });

  it('sets completed_at on completion, keeps it while completed, clears it on reopening', () => {
    const task = aTask({ status: 'in_progress' });
    task.update({ status: 'completed' }, inInbox(OWNER), NOW);
    expect(task.completedAt).toEqual(NOW);

    task.update({ title: 'Still done' }, inInbox(OWNER), later);
    expect(task.completedAt).toEqual(NOW);

    task.update({ status: 'pending' }, inInbox(OWNER), later);
    expect(task.completedAt).toBeNull();
  });

  it('lets the assignee change the status, even alongside unchanged fields', () => {
    const task = aTask({ assigneeId: ASSIGNEE, title: 'Same' });
    expect(
      task.update({ status: 'in_progress', title: 'Same' }, inInbox(ASSIGNEE), NOW)._unsafeUnwrap(),
    ).toEqual(['status']);
  });

  it('forbids the assignee any other change, status included in the same patch', () => {
    const task = aTask({ assigneeId: ASSIGNEE });
    expect(
      task
        .update({ status: 'completed', priority: 'urgent' }, inInbox(ASSIGNEE), NOW)
        ._unsafeUnwrapErr(),
    ).toEqual({
      type: 'Forbidden',
      action: 'edit_task',
    });
    expect(task.status).toBe('pending');
  });

  it('forbids a stranger even a status change', () => {
    expect(
      aTask().update({ status: 'completed' }, inInbox(STRANGER), NOW)._unsafeUnwrapErr(),
    ).toEqual({
      type: 'Forbidden',
      action: 'change_status',
    });
  });

  it('answers forbidden before judging the fields', () => {
    const task = aTask({ assigneeId: ASSIGNEE });
    expect(task.update({ title: 'x' }, inInbox(ASSIGNEE), NOW)._unsafeUnwrapErr().type).toBe(
      'Forbidden',
    );
  });
});
