import { describe, expect, it } from 'vitest';
import { Comment, COMMENT_MAX } from '../../../src/modules/tasks/domain/comment.ts';
import { inInbox, aComment, ASSIGNEE, inFuture, NOW, OWNER } from '../../support/tasks/builders.ts';

const create = (body: string) =>
  Comment.create({ id: 'c1', taskId: 't1', authorId: OWNER, body }, NOW);

describe('Comment', () => {
  it('keeps the body exactly as written', () => {
    const body = '  indented\n  code\n';
    expect(create(body)._unsafeUnwrap().toProps()).toEqual({
      id: 'c1',
      taskId: 't1',
      authorId: OWNER,
      body,
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('takes 1 to 5000 characters, but not only whitespace', () => {
    expect(create('k').isOk()).toBe(true);
    expect(create('x'.repeat(COMMENT_MAX)).isOk()).toBe(true);
    for (const body of ['', ' \n\t', 'x'.repeat(COMMENT_MAX + 1)]) {
      expect(create(body)._unsafeUnwrapErr()).toMatchObject({ errors: [{ field: 'body' }] });
    }
  });

  it('lets its author edit it, recording when', () => {
    const comment = aComment({ taskId: 't1', authorId: ASSIGNEE });
    const at = inFuture(1000);
    expect(comment.edit('Edited', inInbox(ASSIGNEE), at).isOk()).toBe(true);
    expect(comment.toProps()).toMatchObject({ body: 'Edited', updatedAt: at });
  });

  it('lets no one else edit it, the task owner included', () => {
    const comment = aComment({ taskId: 't1', authorId: ASSIGNEE, body: 'Mine' });
    expect(comment.edit('Changed', inInbox(OWNER), NOW)._unsafeUnwrapErr()).toEqual({
      type: 'Forbidden',
      action: 'edit_comment',
    });
    expect(comment.body).toBe('Mine');
  });
});
