import { err, ok, type Result } from 'neverthrow';
import type { TaskAccess } from '../../domain/task-access.ts';
import { taskChangeEvents } from '../../domain/task-events.ts';
import type { Task, TaskProps } from '../../domain/task.ts';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { TasksPorts, TaskWriteOutcome } from '../ports.ts';
import { visibleTask } from './visible-task.ts';

type Ports = Pick<
  TasksPorts,
  'tasks' | 'projects' | 'comments' | 'outbox' | 'transactions' | 'reminders' | 'clock'
>;

/** How often a change without the client's version is decided afresh after losing a race. */
const ATTEMPTS = 3;

/**
 * The events of a change, for the outbox; `before` undefined means the task was just created.
 * A status change also concerns everyone who commented on the task, so they are read for it.
 */
export async function eventsOf(
  ports: Pick<TasksPorts, 'reminders' | 'comments'>,
  before: TaskProps | undefined,
  task: Task,
  actorId: string,
) {
  const statusChanged = before !== undefined && before.status !== task.status;
  const commenters = statusChanged ? await ports.comments.authorsOf(task.id) : [];
  return taskChangeEvents(before, task.toProps(), {
    actorId,
    occurredAt: task.updatedAt,
    reminderLeadMinutes: ports.reminders.leadMinutes,
    commenters,
  });
}

/** A project whose standing of the actor a write was decided on. */
export interface HeldAccess {
  projectId: string;
  access: TaskAccess;
}

/**
 * Inside the write's transaction: reads the actor's standing in each project again, under locks
 * that hold off a role change, a removal and an archiving until the commit, and tells whether it
 * is still what the decision was based on. An Inbox is left alone: its one member and its state
 * never change, and its assignee's standing is the task's assignment, which the version guards.
 */
export async function stillHeld(
  ports: Pick<TasksPorts, 'projects'>,
  held: readonly HeldAccess[],
): Promise<boolean> {
  for (const { projectId, access } of held) {
    if (access.personal) continue;
    const now = await ports.projects.accessOf(projectId, access.userId, true);
    if (!now || now.role !== access.role || now.archived !== access.archived) return false;
  }
  return true;
}

export interface TaskChange<E> {
  taskId: string;
  actorId: string;
  /** The version the client read (PATCH): then a lost race is a conflict for the client to see. */
  expectedVersion?: number;
  /**
   * Decides and applies the change on the loaded task, as the actor stands in its project (and,
   * for a move, in the target: `held` collects what else the decision rested on); leaving the
   * version alone means no change.
   */
  apply(
    task: Task,
    now: Date,
    access: TaskAccess,
    held: HeldAccess[],
  ): Result<void, E> | Promise<Result<void, E>>;
}

/**
 * Loads the task as the actor sees it, applies the change, and writes it with its events in one
 * transaction. Changes that do not carry the client's version (assign, delete, ...) are decided
 * again on the fresh task when a concurrent write wins, since the client did not base them on one.
 * Every change is decided again when the actor's role or the project's state changed before the
 * write could lock them: no write commits on a right that was already gone.
 */
export async function changeTask<E>(
  ports: Ports,
  change: TaskChange<E>,
): Promise<Result<Task, E | TaskErrorOf<'TaskNotFound' | 'VersionConflict'>>> {
  const { taskId, actorId, expectedVersion } = change;
  let currentVersion = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const view = await visibleTask(ports.tasks, taskId, actorId);
    if (view.isErr()) return err(view.error);
    const { task, access } = view.value;
    if (expectedVersion !== undefined && task.version !== expectedVersion) {
      return err(conflict(task.version));
    }
    const before = task.toProps();
    const held: HeldAccess[] = [{ projectId: before.projectId, access }];
    const applied = await change.apply(task, ports.clock.now(), access, held);
    if (applied.isErr()) return err(applied.error);
    if (task.version === before.version) return ok(task);

    const outcome = await save(ports, before, task, actorId, held);
    if (outcome.type === 'written') return ok(task);
    if (outcome.type === 'access_changed') {
      currentVersion = before.version;
      continue;
    }
    if (outcome.type === 'gone') return err({ type: 'TaskNotFound', taskId });
    if (expectedVersion !== undefined) return err(conflict(outcome.currentVersion));
    currentVersion = outcome.currentVersion;
  }
  return err(conflict(currentVersion));
}

async function save(
  ports: Ports,
  before: TaskProps,
  task: Task,
  actorId: string,
  held: readonly HeldAccess[],
): Promise<TaskWriteOutcome | { type: 'access_changed' }> {
  const events = await eventsOf(ports, before, task, actorId);
  return ports.transactions.run(async () => {
    if (!(await stillHeld(ports, held))) return { type: 'access_changed' as const };
    const outcome = await ports.tasks.update(task, before.version);
    if (outcome.type === 'written' && events.length > 0) await ports.outbox.append(events);
    return outcome;
  });
}

function conflict(currentVersion: number): TaskErrorOf<'VersionConflict'> {
  return { type: 'VersionConflict', currentVersion };
}
