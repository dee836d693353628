import { err, ok, type Result } from 'neverthrow';
import { taskChangeEvents } from '../../domain/task-events.ts';
import type { Task, TaskProps } from '../../domain/task.ts';
import type { TaskErrorOf } from '../../domain/task.errors.ts';
import type { TasksPorts, TaskWriteOutcome } from '../ports.ts';
import { visibleTask } from './visible-task.ts';

type Ports = Pick<TasksPorts, 'tasks' | 'outbox' | 'transactions' | 'reminders' | 'clock'>;

/** How often a change without the client's version is decided afresh after losing a race. */
const ATTEMPTS = 3;

/** The events of a change, for the outbox; `before` undefined means the task was just created. */
export function eventsOf(
  ports: Pick<TasksPorts, 'reminders'>,
  before: TaskProps | undefined,
  task: Task,
  actorId: string,
) {
  return taskChangeEvents(before, task.toProps(), {
    actorId,
    occurredAt: task.updatedAt,
    reminderLeadMinutes: ports.reminders.leadMinutes,
  });
}

export interface TaskChange<E> {
  taskId: string;
  actorId: string;
  /** The version the client read (PATCH): then a lost race is a conflict for the client to see. */
  expectedVersion?: number;
  /** Decides and applies the change on the loaded task; leaving the version alone means no change. */
  apply(task: Task, now: Date): Result<void, E> | Promise<Result<void, E>>;
}

/**
 * Loads the task as the actor sees it, applies the change, and writes it with its events in one
 * transaction. Changes that do not carry the client's version (assign, delete, ...) are decided
 * again on the fresh task when a concurrent write wins, since the client did not base them on one.
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
    const { task } = view.value;
    if (expectedVersion !== undefined && task.version !== expectedVersion) {
      return err(conflict(task.version));
    }
    const before = task.toProps();
    const applied = await change.apply(task, ports.clock.now());
    if (applied.isErr()) return err(applied.error);
    if (task.version === before.version) return ok(task);

    const outcome = await save(ports, before, task, actorId);
    if (outcome.type === 'written') return ok(task);
    if (outcome.type === 'gone') return err({ type: 'TaskNotFound', taskId });
    if (expectedVersion !== undefined) return err(conflict(outcome.currentVersion));
    currentVersion = outcome.currentVersion;
  }
  return err(conflict(currentVersion));
}

function save(ports: Ports, before: TaskProps, task: Task, actorId: string) {
  const events = eventsOf(ports, before, task, actorId);
  return ports.transactions.run(async (): Promise<TaskWriteOutcome> => {
    const outcome = await ports.tasks.update(task, before.version);
    if (outcome.type === 'written' && events.length > 0) await ports.outbox.append(events);
    return outcome;
  });
}

function conflict(currentVersion: number): TaskErrorOf<'VersionConflict'> {
  return { type: 'VersionConflict', currentVersion };
}
