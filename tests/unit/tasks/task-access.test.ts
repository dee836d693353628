import { describe, expect, it } from 'vitest';
import {
  canAttach,
  canChangeStatus,
  canComment,
  canDeleteAttachment,
  canDeleteComment,
  canEdit,
  canEditComment,
  canView,
} from '../../../src/modules/tasks/domain/task-access.ts';
import { ASSIGNEE, aTask, NOW, OWNER, STRANGER } from '../../support/tasks/builders.ts';

const task = aTask({ assigneeId: ASSIGNEE });
const deleted = aTask({ assigneeId: ASSIGNEE, deletedAt: NOW });
const byAssignee = { authorId: ASSIGNEE, uploadedBy: ASSIGNEE };
const byOwner = { authorId: OWNER, uploadedBy: OWNER };

describe('task access policy', () => {
  it.each([
    ['view', canView, [true, true, false]],
    ['edit', canEdit, [true, false, false]],
    ['change the status of', canChangeStatus, [true, true, false]],
    ['comment on', canComment, [true, true, false]],
    ['attach files to', canAttach, [true, true, false]],
  ] as const)('lets owner / assignee / stranger %s a task: %j', (_, rule, expected) => {
    expect([OWNER, ASSIGNEE, STRANGER].map((user) => rule(task, user))).toEqual(expected);
  });

  it('lets no one see or touch a soft-deleted task, its owner included', () => {
    for (const rule of [canView, canEdit, canChangeStatus, canComment, canAttach]) {
      expect(rule(deleted, OWNER)).toBe(false);
    }
  });

  it('lets only the author edit a comment, not even the task owner', () => {
    expect(canEditComment(byAssignee, ASSIGNEE)).toBe(true);
    expect(canEditComment(byAssignee, OWNER)).toBe(false);
  });

  it("lets the author or the task owner delete a comment, not the assignee the owner's", () => {
    expect(canDeleteComment(task, byAssignee, ASSIGNEE)).toBe(true);
    expect(canDeleteComment(task, byAssignee, OWNER)).toBe(true);
    expect(canDeleteComment(task, byOwner, ASSIGNEE)).toBe(false);
    expect(canDeleteComment(task, byOwner, STRANGER)).toBe(false);
  });

  it("lets the uploader or the task owner delete an attachment, not the assignee the owner's", () => {
    expect(canDeleteAttachment(task, byAssignee, ASSIGNEE)).toBe(true);
    expect(canDeleteAttachment(task, byAssignee, OWNER)).toBe(true);
    expect(canDeleteAttachment(task, byOwner, ASSIGNEE)).toBe(false);
    expect(canDeleteAttachment(task, byOwner, STRANGER)).toBe(false);
  });
});
