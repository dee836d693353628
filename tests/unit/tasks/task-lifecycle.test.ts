import { describe, expect, it } from 'vitest';
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

describe('Task commands', () => {
  it('changes the status for the owner and the assignee, not for a stranger', () => {
    const task = aTask({ assigneeId: ASSIGNEE });
    expect(task.changeStatus('completed', inInbox(ASSIGNEE), NOW).isOk()).toBe(true);
    expect(task.toProps()).toMatchObject({ status: 'completed', completedAt: NOW, version: 2 });
    expect(task.changeStatus('pending', inInbox(STRANGER), NOW)._unsafeUnwrapErr().type).toBe(
      'Forbidden',
    );
  });

  it('counts setting the current status again as no change', () => {
    const task = aTask();
    task.changeStatus('pending', inInbox(OWNER), NOW);
    expect(task.version).toBe(1);
  });

  it('assigns and unassigns for the owner only, and re-assigning the same user changes nothing', () => {
    const task = aTask();
    expect(task.assign(ASSIGNEE, inInbox(OWNER), NOW).isOk()).toBe(true);
    expect(task.assign(ASSIGNEE, inInbox(OWNER), later).isOk()).toBe(true);
    expect(task.toProps()).toMatchObject({ assigneeId: ASSIGNEE, version: 2, updatedAt: NOW });
    expect(task.unassign(inInbox(ASSIGNEE), NOW)._unsafeUnwrapErr()).toEqual({
      type: 'Forbidden',
      action: 'edit_task',
    });
    expect(task.unassign(inInbox(OWNER), NOW).isOk()).toBe(true);
    expect(task.assigneeId).toBeNull();
  });

  it('files a task under a category once, and refuses the same category twice', () => {
    const task = aTask();
    expect(task.addCategory('c1', inInbox(OWNER), NOW).isOk()).toBe(true);
    expect(task.addCategory('c1', inInbox(OWNER), NOW)._unsafeUnwrapErr()).toEqual({
      type: 'AlreadyAssigned',
      categoryId: 'c1',
    });
    expect(task.categoryIds).toEqual(['c1']);
  });

  it('removes a category it has, and answers not found for one it has not', () => {
    const task = aTask({ categoryIds: ['c1'] });
    expect(task.removeCategory('c2', inInbox(OWNER), NOW)._unsafeUnwrapErr()).toEqual({
      type: 'CategoryNotFound',
      categoryId: 'c2',
    });
    expect(task.removeCategory('c1', inInbox(OWNER), NOW).isOk()).toBe(true);
    expect(task.categoryIds).toEqual([]);
  });

  it('keeps categories to the owner', () => {
    const task = aTask({ assigneeId: ASSIGNEE, categoryIds: ['c1'] });
    expect(task.addCategory('c2', inInbox(ASSIGNEE), NOW)._unsafeUnwrapErr().type).toBe(
      'Forbidden',
    );
    expect(task.removeCategory('c1', inInbox(ASSIGNEE), NOW)._unsafeUnwrapErr().type).toBe(
      'Forbidden',
    );
  });

  it('soft-deletes for the owner, after which nobody may change the task', () => {
    const task = aTask({ assigneeId: ASSIGNEE });
    expect(task.softDelete(inInbox(ASSIGNEE), NOW)._unsafeUnwrapErr()).toEqual({
      type: 'Forbidden',
      action: 'delete_task',
    });
    expect(task.softDelete(inInbox(OWNER), NOW).isOk()).toBe(true);
    expect(task.toProps()).toMatchObject({ deletedAt: NOW, version: 2 });
    expect(task.update({ title: 'Too late' }, inInbox(OWNER), NOW).isErr()).toBe(true);
    expect(task.softDelete(inInbox(OWNER), NOW).isErr()).toBe(true);
  });
});
