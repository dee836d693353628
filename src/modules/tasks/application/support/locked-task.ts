import { err, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { TasksPorts, VisibleTask } from '../ports.ts';
import { visibleTask } from './visible-task.ts';

/**
 * Inside a write's transaction: the task as the actor sees it once their standing and the task
 * are locked, so the write is decided on what is current and nothing it rests on changes before
 * the commit. A removal, a role change or an archiving (project row, then membership row, FOR
 * SHARE) and an assignment, a move or a deletion of the task (its row, FOR SHARE) each either
 * committed before and is seen here, or waits for the commit. The locks are taken in the order a
 * member's removal and every task write take them (project, membership, task), so they wait for
 * each other instead of deadlocking. An Inbox's one member and its state never change, so only
 * the task is locked there: its assignee's standing is the assignment.
 *
 * A task moved to another project meanwhile is not there for this write, as after an upload:
 * the locks were taken in the project it left.
 */
export async function lockedTask(
  ports: Pick<TasksPorts, 'tasks' | 'projects'>,
  taskId: string,
  userId: string,
): Promise<Result<VisibleTask, TaskErrorOf<'TaskNotFound'>>> {
  const seen = await visibleTask(ports.tasks, taskId, userId);
  if (seen.isErr()) return seen;
  const { projectId, personal } = seen.value.access;
  if (!personal) await ports.projects.accessOf(projectId, userId, true);
  await ports.tasks.lockParties(taskId);
  const current = await visibleTask(ports.tasks, taskId, userId);
  if (current.isOk() && current.value.access.projectId !== projectId) {
    return err({ type: 'TaskNotFound', taskId });
  }
  return current;
}
