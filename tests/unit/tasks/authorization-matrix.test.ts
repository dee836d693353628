import type { ResultAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { AddComment } from '../../../src/modules/tasks/application/add-comment.ts';
import { AddTaskCategory } from '../../../src/modules/tasks/application/add-task-category.ts';
import { AssignTask } from '../../../src/modules/tasks/application/assign-task.ts';
import { DeleteAttachment } from '../../../src/modules/tasks/application/delete-attachment.ts';
import { DeleteComment } from '../../../src/modules/tasks/application/delete-comment.ts';
import { DeleteTask } from '../../../src/modules/tasks/application/delete-task.ts';
import { DownloadAttachment } from '../../../src/modules/tasks/application/download-attachment.ts';
import { GetTask } from '../../../src/modules/tasks/application/get-task.ts';
import { ListAttachments } from '../../../src/modules/tasks/application/list-attachments.ts';
import { ListComments } from '../../../src/modules/tasks/application/list-comments.ts';
import { RemoveTaskCategory } from '../../../src/modules/tasks/application/remove-task-category.ts';
import { UnassignTask } from '../../../src/modules/tasks/application/unassign-task.ts';
import { UpdateComment } from '../../../src/modules/tasks/application/update-comment.ts';
import { UpdateTask } from '../../../src/modules/tasks/application/update-task.ts';
import { UploadAttachment } from '../../../src/modules/tasks/application/upload-attachment.ts';
import type { Actor } from '../../../src/modules/tasks/application/ports.ts';
import { as, ASSIGNEE, OWNER, STRANGER } from '../../support/tasks/builders.ts';
import { streamOf } from '../../support/tasks/in-memory-file-storage.ts';
import { tasksTestbed } from '../../support/tasks/tasks-testbed.ts';

/** A task of OWNER assigned to ASSIGNEE, with one of everything hanging off it. */
const SHARED = '00000000-0000-7000-8000-0000000000aa';
const EDITOR = 'user-editor';
const ADMIN = 'user-admin';

/**
 * In OWNER's Inbox, or in a shared project OWNER owns, where ASSIGNEE is a `viewer` (and
 * 'newcomer', whom 'assign it' assigns, too), EDITOR an `editor` and ADMIN an `admin`.
 */
function scene(place: 'inbox' | 'shared' = 'inbox') {
  const bed = tasksTestbed();
  bed.users.add('newcomer');
  if (place === 'shared') {
    bed.projects.addShared(SHARED, {
      [OWNER]: 'owner',
      [ADMIN]: 'admin',
      [EDITOR]: 'editor',
      [ASSIGNEE]: 'viewer',
      newcomer: 'viewer',
    });
  }
  const filed = bed.seedCategory();
  const spare = bed.seedCategory();
  const task = bed.seedTask({
    assigneeId: ASSIGNEE,
    categoryIds: [filed.id],
    ...(place === 'shared' ? { projectId: SHARED } : {}),
  });
  const taskId = task.id;
  return {
    bed,
    taskId,
    filed: filed.id,
    spare: spare.id,
    ownersComment: bed.seedComment({ taskId, authorId: OWNER }).id,
    assigneesComment: bed.seedComment({ taskId, authorId: ASSIGNEE }).id,
    ownersFile: bed.seedAttachment({ taskId, uploadedBy: OWNER }).id,
    assigneesFile: bed.seedAttachment({ taskId, uploadedBy: ASSIGNEE }).id,
  };
}

type Scene = ReturnType<typeof scene>;
type Action = (s: Scene, actor: Actor) => ResultAsync<unknown, { type: string }>;

const actions: Array<[string, Action, [string, string, string]]> = [
  [
    'get the task',
    ({ bed, ...s }, actor) => new GetTask(bed.ports).execute({ actor, taskId: s.taskId }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'change the title',
    ({ bed, ...s }, actor) =>
      new UpdateTask(bed.ports).execute({
        actor,
        taskId: s.taskId,
        version: 1,
        title: 'New title',
      }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'change the status',
    ({ bed, ...s }, actor) =>
      new UpdateTask(bed.ports).execute({
        actor,
        taskId: s.taskId,
        version: 1,
        status: 'in_progress',
      }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'delete the task',
    ({ bed, ...s }, actor) => new DeleteTask(bed.ports).execute({ actor, taskId: s.taskId }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'assign it',
    ({ bed, ...s }, actor) =>
      new AssignTask(bed.ports).execute({ actor, taskId: s.taskId, assigneeId: 'newcomer' }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'unassign it',
    ({ bed, ...s }, actor) => new UnassignTask(bed.ports).execute({ actor, taskId: s.taskId }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'add a category',
    ({ bed, ...s }, actor) =>
      new AddTaskCategory(bed.ports).execute({ actor, taskId: s.taskId, categoryId: s.spare }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'remove a category',
    ({ bed, ...s }, actor) =>
      new RemoveTaskCategory(bed.ports).execute({ actor, taskId: s.taskId, categoryId: s.filed }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    'comment',
    ({ bed, ...s }, actor) =>
      new AddComment(bed.ports).execute({ actor, taskId: s.taskId, body: 'Noted' }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'list the comments',
    ({ bed, ...s }, actor) =>
      new ListComments(bed.ports).execute({ actor, taskId: s.taskId, page: 1, limit: 20 }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    "edit the owner's comment",
    ({ bed, ...s }, actor) =>
      new UpdateComment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        commentId: s.ownersComment,
        body: 'Edited',
      }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    "edit the assignee's comment",
    ({ bed, ...s }, actor) =>
      new UpdateComment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        commentId: s.assigneesComment,
        body: 'Edited',
      }),
    ['Forbidden', 'ok', 'TaskNotFound'],
  ],
  [
    "delete the owner's comment",
    ({ bed, ...s }, actor) =>
      new DeleteComment(bed.ports).execute({ actor, taskId: s.taskId, commentId: s.ownersComment }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    "delete the assignee's comment",
    ({ bed, ...s }, actor) =>
      new DeleteComment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        commentId: s.assigneesComment,
      }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'upload a file',
    ({ bed, ...s }, actor) =>
      new UploadAttachment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        filename: 'a.txt',
        body: streamOf(new Uint8Array([1])),
      }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'list the files',
    ({ bed, ...s }, actor) => new ListAttachments(bed.ports).execute({ actor, taskId: s.taskId }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    'download a file',
    ({ bed, ...s }, actor) =>
      new DownloadAttachment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        attachmentId: s.ownersFile,
      }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
  [
    "delete the owner's file",
    ({ bed, ...s }, actor) =>
      new DeleteAttachment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        attachmentId: s.ownersFile,
      }),
    ['ok', 'Forbidden', 'TaskNotFound'],
  ],
  [
    "delete the assignee's file",
    ({ bed, ...s }, actor) =>
      new DeleteAttachment(bed.ports).execute({
        actor,
        taskId: s.taskId,
        attachmentId: s.assigneesFile,
      }),
    ['ok', 'ok', 'TaskNotFound'],
  ],
];

/** 'ok', or the type of the error, for the action taken by `userId` in a fresh scene. */
async function outcome(
  action: Action,
  userId: string,
  place: 'inbox' | 'shared' = 'inbox',
): Promise<string> {
  const result = await action(scene(place), as(userId));
  return result.isOk() ? 'ok' : result.error.type;
}

/** In the shared project: viewer (the assignee) / editor / admin / owner / non-member. */
const SHARED_EXPECTED: Record<string, string[]> = {
  'get the task': ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'change the title': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'change the status': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'delete the task': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'assign it': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'unassign it': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'add a category': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'remove a category': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  comment: ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'list the comments': ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
  "edit the owner's comment": ['Forbidden', 'Forbidden', 'Forbidden', 'ok', 'TaskNotFound'],
  "edit the assignee's comment": ['ok', 'Forbidden', 'Forbidden', 'Forbidden', 'TaskNotFound'],
  "delete the owner's comment": ['Forbidden', 'Forbidden', 'ok', 'ok', 'TaskNotFound'],
  "delete the assignee's comment": ['ok', 'Forbidden', 'ok', 'ok', 'TaskNotFound'],
  'upload a file': ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'list the files': ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
  'download a file': ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
  "delete the owner's file": ['Forbidden', 'ok', 'ok', 'ok', 'TaskNotFound'],
  "delete the assignee's file": ['ok', 'ok', 'ok', 'ok', 'TaskNotFound'],
};

describe('who may do what: owner / assignee / stranger', () => {
  it.each(actions)('%s → %j', async (_, action, expected) => {
    expect([
      await outcome(action, OWNER),
      await outcome(action, ASSIGNEE),
      await outcome(action, STRANGER),
    ]).toEqual(expected);
  });
});

describe('who may do what in a shared project: viewer / editor / admin / owner / non-member', () => {
  it.each(actions)('%s', async (name, action) => {
    const outcomes = [];
    for (const user of [ASSIGNEE, EDITOR, ADMIN, OWNER, STRANGER]) {
      outcomes.push(await outcome(action, user, 'shared'));
    }
    expect(outcomes).toEqual(SHARED_EXPECTED[name]);
  });

  it('has an expectation for every action', () => {
    expect(Object.keys(SHARED_EXPECTED).sort()).toEqual(actions.map(([name]) => name).sort());
  });
});
