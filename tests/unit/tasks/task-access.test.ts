import { describe, expect, it } from 'vitest';
import { PROJECT_ROLES, type ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import {
  canView,
  mayAttach,
  mayChangeStatus,
  mayComment,
  mayDelete,
  mayDeleteAttachment,
  mayDeleteComment,
  mayEdit,
  mayEditComment,
  mayPlaceTasks,
  type TaskAccess,
} from '../../../src/modules/tasks/domain/task-access.ts';
import {
  ASSIGNEE,
  aTask,
  inInbox,
  inShared,
  NOW,
  OWNER,
  SHARED_PROJECT,
  STRANGER,
} from '../../support/tasks/builders.ts';

const task = aTask({ assigneeId: ASSIGNEE });
const deleted = aTask({ assigneeId: ASSIGNEE, deletedAt: NOW });
const byAssignee = { authorId: ASSIGNEE, uploadedBy: ASSIGNEE };
const byOwner = { authorId: OWNER, uploadedBy: OWNER };

const verdict = (result: { isOk(): boolean }) => (result.isOk() ? 'ok' : 'refused');
const decide = (rule: (access: TaskAccess) => ReturnType<typeof mayEdit>, access: TaskAccess) => {
  const result = rule(access);
  return result.isOk() ? 'ok' : result.error.type;
};

describe('in an Inbox', () => {
  it.each([
    ['edit', (a: TaskAccess) => mayEdit(task, a), ['ok', 'Forbidden', 'Forbidden']],
    ['delete', (a: TaskAccess) => mayDelete(task, a), ['ok', 'Forbidden', 'Forbidden']],
    [
      'change the status of',
      (a: TaskAccess) => mayChangeStatus(task, a),
      ['ok', 'ok', 'Forbidden'],
    ],
    ['comment on', (a: TaskAccess) => mayComment(task, a), ['ok', 'ok', 'Forbidden']],
    ['attach files to', (a: TaskAccess) => mayAttach(task, a), ['ok', 'ok', 'Forbidden']],
  ] as const)('lets owner / assignee / stranger %s a task: %j', (_, rule, expected) => {
    expect([OWNER, ASSIGNEE, STRANGER].map((user) => decide(rule, inInbox(user)))).toEqual(
      expected,
    );
  });

  it('lets no one change a soft-deleted task, its owner included', () => {
    const owner = inInbox(OWNER);
    for (const result of [
      mayEdit(deleted, owner),
      mayDelete(deleted, owner),
      mayChangeStatus(deleted, owner),
      mayComment(deleted, owner),
      mayAttach(deleted, owner),
    ]) {
      expect(result._unsafeUnwrapErr().type).toBe('Forbidden');
    }
  });

  it('shows the task to its owner and its assignee only, and a deleted one to no one', () => {
    expect([OWNER, ASSIGNEE, STRANGER].map((user) => canView(task, inInbox(user)))).toEqual([
      true,
      true,
      false,
    ]);
    expect(canView(deleted, inInbox(OWNER))).toBe(false);
  });

  it('lets the author or the Inbox owner delete a comment, not the assignee the owner’s', () => {
    expect(verdict(mayDeleteComment(byAssignee, inInbox(ASSIGNEE)))).toBe('ok');
    expect(verdict(mayDeleteComment(byAssignee, inInbox(OWNER)))).toBe('ok');
    expect(verdict(mayDeleteComment(byOwner, inInbox(ASSIGNEE)))).toBe('refused');
  });
});

describe('in a shared project', () => {
  const member = (role: ProjectRole | undefined) => inShared('member', role);
  const roles = [undefined, ...PROJECT_ROLES];

  it.each([
    ['edit', (a: TaskAccess) => mayEdit(task, a), [false, false, true, true, true]],
    ['delete', (a: TaskAccess) => mayDelete(task, a), [false, false, true, true, true]],
    [
      'change the status',
      (a: TaskAccess) => mayChangeStatus(task, a),
      [false, false, true, true, true],
    ],
    ['comment', (a: TaskAccess) => mayComment(task, a), [false, true, true, true, true]],
    ['attach', (a: TaskAccess) => mayAttach(task, a), [false, false, true, true, true]],
    [
      'create tasks',
      (a: TaskAccess) => mayPlaceTasks(a, 'create_task'),
      [false, false, true, true, true],
    ],
    [
      "delete another's comment",
      (a: TaskAccess) => mayDeleteComment(byOwner, a),
      [false, false, false, true, true],
    ],
    [
      "delete another's file",
      (a: TaskAccess) => mayDeleteAttachment(byOwner, a),
      [false, false, true, true, true],
    ],
    [
      "edit another's comment",
      (a: TaskAccess) => mayEditComment(byOwner, a),
      [false, false, false, false, false],
    ],
  ] as const)('none / viewer / editor / admin / owner may %s: %j', (_, rule, expected) => {
    expect(roles.map((role) => rule(member(role)).isOk())).toEqual(expected);
  });

  it('shows the task to members only: its assignee, once not a member, sees it no more', () => {
    expect(canView(task, inShared(ASSIGNEE, undefined))).toBe(false);
    expect(canView(task, inShared(ASSIGNEE, 'viewer'))).toBe(true);
  });

  it('refuses every write in an archived project with project_archived, even to its owner', () => {
    const archived = inShared(OWNER, 'owner', true);
    for (const result of [
      mayEdit(task, archived),
      mayDelete(task, archived),
      mayChangeStatus(task, archived),
      mayComment(task, archived),
      mayAttach(task, archived),
      mayPlaceTasks(archived, 'move_task'),
      mayEditComment(byOwner, archived),
      mayDeleteComment(byOwner, archived),
      mayDeleteAttachment(byOwner, archived),
    ]) {
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'ProjectArchived',
        projectId: SHARED_PROJECT,
      });
    }
    expect(canView(task, archived)).toBe(true);
  });
});
