import { describe, expect, it } from 'vitest';
import { AddComment } from '../../../src/modules/tasks/application/add-comment.ts';
import { DeleteAttachment } from '../../../src/modules/tasks/application/delete-attachment.ts';
import { DeleteComment } from '../../../src/modules/tasks/application/delete-comment.ts';
import { UpdateComment } from '../../../src/modules/tasks/application/update-comment.ts';
import { as, OWNER, SHARED_PROJECT } from '../../support/tasks/builders.ts';
import { tasksTestbed } from '../../support/tasks/tasks-testbed.ts';

/**
 * A removal, a role change or an archiving that commits while a comment or attachment write waits
 * for its locks: the write is decided on what the lock grants, not on what was read before it.
 */

const MEMBER = 'user-member';

function scene() {
  const bed = tasksTestbed();
  bed.projects.addShared(SHARED_PROJECT, { [OWNER]: 'owner', [MEMBER]: 'admin' });
  const task = bed.seedTask({ projectId: SHARED_PROJECT });
  const ownersComment = bed.seedComment({ taskId: task.id, authorId: OWNER });
  const membersComment = bed.seedComment({ taskId: task.id, authorId: MEMBER, body: 'Before' });
  const ownersFile = bed.seedAttachment({ taskId: task.id, uploadedBy: OWNER });
  const archive = () => {
    const project = bed.db.tables.projects.get(SHARED_PROJECT)!;
    bed.db.tables.projects.set(SHARED_PROJECT, { ...project, archivedAt: new Date(0) });
  };
  const remove = () => void bed.projects.removeMember(SHARED_PROJECT, MEMBER);
  const lower = () => void bed.projects.setRole(SHARED_PROJECT, MEMBER, 'viewer');
  return { bed, task, ownersComment, membersComment, ownersFile, archive, remove, lower };
}

describe('a comment written while the author’s standing changes', () => {
  it.each([
    ['removed', 'remove', { type: 'TaskNotFound' }],
    ['project archived', 'archive', { type: 'ProjectArchived', projectId: SHARED_PROJECT }],
  ] as const)('is refused when %s meanwhile: no comment, no event', async (_, change, error) => {
    const s = scene();
    s.bed.projects.interleaveBeforeNextLock(s[change]);
    const result = await new AddComment(s.bed.ports).execute({
      actor: as(MEMBER),
      taskId: s.task.id,
      body: 'Too late',
    });
    expect(result._unsafeUnwrapErr()).toMatchObject(error);
    expect(s.bed.db.tables.comments.size).toBe(2);
    expect(s.bed.outbox.events).toEqual([]);
  });

  it('goes through when the role is only lowered (a viewer may comment)', async () => {
    const s = scene();
    s.bed.projects.interleaveBeforeNextLock(s.lower);
    const result = await new AddComment(s.bed.ports).execute({
      actor: as(MEMBER),
      taskId: s.task.id,
      body: 'Still here',
    });
    expect(s.bed.comments.stored(result._unsafeUnwrap().id)?.body).toBe('Still here');
    expect(s.bed.outbox.events).toHaveLength(1);
  });

  it.each([
    ['removed', 'remove', { type: 'TaskNotFound' }],
    ['project archived', 'archive', { type: 'ProjectArchived', projectId: SHARED_PROJECT }],
  ] as const)('is not edited when %s meanwhile', async (_, change, error) => {
    const s = scene();
    s.bed.projects.interleaveBeforeNextLock(s[change]);
    const result = await new UpdateComment(s.bed.ports).execute({
      actor: as(MEMBER),
      taskId: s.task.id,
      commentId: s.membersComment.id,
      body: 'After',
    });
    expect(result._unsafeUnwrapErr()).toMatchObject(error);
    expect(s.bed.comments.stored(s.membersComment.id)?.body).toBe('Before');
  });

  it.each([
    ['lowered from admin', 'lower', { type: 'Forbidden', action: 'delete_comment' }],
    ['removed', 'remove', { type: 'TaskNotFound' }],
    ['project archived', 'archive', { type: 'ProjectArchived', projectId: SHARED_PROJECT }],
  ] as const)(
    'of someone else stays when the deleter is %s meanwhile',
    async (_, change, error) => {
      const s = scene();
      s.bed.projects.interleaveBeforeNextLock(s[change]);
      const result = await new DeleteComment(s.bed.ports).execute({
        actor: as(MEMBER),
        taskId: s.task.id,
        commentId: s.ownersComment.id,
      });
      expect(result._unsafeUnwrapErr()).toMatchObject(error);
      expect(s.bed.comments.stored(s.ownersComment.id)).toBeDefined();
    },
  );
});

describe('an attachment deleted while the deleter’s standing changes', () => {
  it.each([
    ['lowered to viewer', 'lower', { type: 'Forbidden', action: 'delete_attachment' }],
    ['removed', 'remove', { type: 'TaskNotFound' }],
    ['project archived', 'archive', { type: 'ProjectArchived', projectId: SHARED_PROJECT }],
  ] as const)('stays, row and blob, when %s meanwhile', async (_, change, error) => {
    const s = scene();
    s.bed.projects.interleaveBeforeNextLock(s[change]);
    const result = await new DeleteAttachment(s.bed.ports).execute({
      actor: as(MEMBER),
      taskId: s.task.id,
      attachmentId: s.ownersFile.id,
    });
    expect(result._unsafeUnwrapErr()).toMatchObject(error);
    expect(s.bed.attachments.has(s.ownersFile.id)).toBe(true);
    expect(s.bed.files.blobs.has(s.ownersFile.storageKey)).toBe(true);
  });

  it('goes, row and blob, when nothing changed', async () => {
    const s = scene();
    const result = await new DeleteAttachment(s.bed.ports).execute({
      actor: as(MEMBER),
      taskId: s.task.id,
      attachmentId: s.ownersFile.id,
    });
    expect(result.isOk()).toBe(true);
    expect(s.bed.attachments.has(s.ownersFile.id)).toBe(false);
    expect(s.bed.files.blobs.has(s.ownersFile.storageKey)).toBe(false);
  });
});
