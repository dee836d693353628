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
function scene() {
  const bed = tasksTestbed();
  bed.users.add('newcomer');
  const filed = bed.seedCategory();
  const spare = bed.seedCategory();
  const task = bed.seedTask({ assigneeId: ASSIGNEE, categoryIds: [filed.id] });
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
async function outcome(action: Action, userId: string): Promise<string> {
  const result = await action(scene(), as(userId));
  return result.isOk() ? 'ok' : result.error.type;
}

describe('who may do what: owner / assignee / stranger', () => {
  it.each(actions)('%s → %j', async (_, action, expected) => {
    expect([
      await outcome(action, OWNER),
      await outcome(action, ASSIGNEE),
      await outcome(action, STRANGER),
    ]).toEqual(expected);
  });
});
