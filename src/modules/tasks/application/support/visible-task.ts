import { err, ok, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { TaskRepository, VisibleTask } from '../ports.ts';

/** The task as `userId` may see it; anything else is one and the same "not found". */
export async function visibleTask(
  tasks: TaskRepository,
  taskId: string,
  userId: string,
): Promise<Result<VisibleTask, TaskErrorOf<'TaskNotFound'>>> {
  const view = await tasks.findVisible(taskId, userId);
  return view ? ok(view) : err({ type: 'TaskNotFound', taskId });
}
