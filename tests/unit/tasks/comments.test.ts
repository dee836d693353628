import { beforeEach, describe, expect, it } from 'vitest';
import { AddComment } from '../../../src/modules/tasks/application/add-comment.ts';
import { DeleteComment } from '../../../src/modules/tasks/application/delete-comment.ts';
import { GetTask } from '../../../src/modules/tasks/application/get-task.ts';
import { ListComments } from '../../../src/modules/tasks/application/list-comments.ts';
import { UpdateComment } from '../../../src/modules/tasks/application/update-comment.ts';
import type { Task } from '../../../src/modules/tasks/domain/task.ts';
import { as, ASSIGNEE, inFuture, NOW, OWNER } from '../../support/tasks/builders.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';

describe('comments', () => {
  let bed: TasksTestbed;
  let task: Task;

  beforeEach(() => {
    bed = tasksTestbed();
    task = bed.seedTask({ assigneeId: ASSIGNEE, title: 'Fix the roof' });
  });

  describe('AddComment', () => {
    it('stores the comment and tells the owner, not the commenting assignee', async () => {
      const comment = (
        await new AddComment(bed.ports).execute({
          actor: as(ASSIGNEE),
          taskId: task.id,
          body: 'On it',
        })
      )._unsafeUnwrap();

      expect(bed.comments.stored(comment.id)).toEqual({
        id: comment.id,
        taskId: task.id,
        authorId: ASSIGNEE,
        body: 'On it',
        createdAt: NOW,
        updatedAt: NOW,
      });
      expect(bed.outbox.events).toEqual([
        {
          type: 'task.commented',
          taskId: task.id,
          projectId: task.projectId,
          actorId: ASSIGNEE,
          occurredAt: NOW,
          recipients: [OWNER],
          payload: { title: 'Fix the roof', commentId: comment.id },
        },
      ]);
    });

    it('counts on the task', async () => {
      const add = new AddComment(bed.ports);
      await add.execute({ actor: as(OWNER), taskId: task.id, body: 'One' });
      await add.execute({ actor: as(ASSIGNEE), taskId: task.id, body: 'Two' });

      const view = (
        await new GetTask(bed.ports).execute({ actor: as(OWNER), taskId: task.id })
      )._unsafeUnwrap();
      expect(view.commentCount).toBe(2);
    });

    it('refuses a blank body, storing nothing and telling no one', async () => {
      const result = await new AddComment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        body: '  ',
      });
      expect(result._unsafeUnwrapErr()).toMatchObject({
        type: 'ValidationFailed',
        errors: [{ field: 'body' }],
      });
      expect(bed.db.tables.comments.size).toBe(0);
      expect(bed.outbox.events).toEqual([]);
    });

    it('keeps neither comment nor event when the outbox write fails', async () => {
      bed.outbox.failNextAppend();
      await expect(
        new AddComment(bed.ports).execute({ actor: as(OWNER), taskId: task.id, body: 'Lost' }),
      ).rejects.toThrow('outbox unavailable');
      expect(bed.db.tables.comments.size).toBe(0);
      expect(bed.outbox.events).toEqual([]);
    });
  });

  it('lists comments oldest first, a page at a time, with the total', async () => {
    for (let i = 3; i >= 1; i--) {
      bed.seedComment({ taskId: task.id, body: `#${i}`, createdAt: inFuture(i * 1000) });
    }
    bed.seedComment({ taskId: bed.seedTask().id, body: 'elsewhere' });

    const page = (
      await new ListComments(bed.ports).execute({
        actor: as(ASSIGNEE),
        taskId: task.id,
        page: 2,
        limit: 2,
      })
    )._unsafeUnwrap();

    expect(page.items.map((c) => c.body)).toEqual(['#3']);
    expect(page).toMatchObject({ total: 3, page: 2, limit: 2 });
  });

  describe('UpdateComment', () => {
    it('lets the author edit the body', async () => {
      const comment = bed.seedComment({ taskId: task.id, authorId: ASSIGNEE });
      bed.clock.advance(60_000);

      const edited = (
        await new UpdateComment(bed.ports).execute({
          actor: as(ASSIGNEE),
          taskId: task.id,
          commentId: comment.id,
          body: 'Edited',
        })
      )._unsafeUnwrap();

      expect(edited.toProps()).toEqual(bed.comments.stored(comment.id));
      expect(edited.toProps()).toMatchObject({ body: 'Edited', updatedAt: bed.clock.now() });
    });

    it('answers not found for a comment of another task', async () => {
      const elsewhere = bed.seedComment({ taskId: bed.seedTask().id });
      const result = await new UpdateComment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        commentId: elsewhere.id,
        body: 'Edited',
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'CommentNotFound',
        commentId: elsewhere.id,
      });
    });

    it('refuses an over-long body, keeping the old one', async () => {
      const comment = bed.seedComment({ taskId: task.id, body: 'Short' });
      const result = await new UpdateComment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        commentId: comment.id,
        body: 'x'.repeat(5001),
      });
      expect(result._unsafeUnwrapErr().type).toBe('ValidationFailed');
      expect(bed.comments.stored(comment.id)?.body).toBe('Short');
    });
  });

  describe('DeleteComment', () => {
    it("lets the task owner delete the assignee's comment", async () => {
      const comment = bed.seedComment({ taskId: task.id, authorId: ASSIGNEE });
      const result = await new DeleteComment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        commentId: comment.id,
      });
      expect(result.isOk()).toBe(true);
      expect(bed.comments.stored(comment.id)).toBeUndefined();
    });

    it("forbids the assignee to delete the owner's comment, which stays", async () => {
      const comment = bed.seedComment({ taskId: task.id, authorId: OWNER });
      const result = await new DeleteComment(bed.ports).execute({
        actor: as(ASSIGNEE),
        taskId: task.id,
        commentId: comment.id,
      });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'Forbidden', action: 'delete_comment' });
      expect(bed.comments.stored(comment.id)).toBeDefined();
    });

    it('answers not found for an unknown comment', async () => {
      const result = await new DeleteComment(bed.ports).execute({
        actor: as(OWNER),
        taskId: task.id,
        commentId: 'nope',
      });
      expect(result._unsafeUnwrapErr()).toEqual({ type: 'CommentNotFound', commentId: 'nope' });
    });
  });
});
