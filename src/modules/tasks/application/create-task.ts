import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { mayPlaceTasks } from '../domain/task-access.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import { Task, type TaskPatch } from '../domain/task.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { checkAssignee, ownedCategories } from './support/task-references.ts';
import { eventsOf } from './support/task-writes.ts';

export interface CreateTaskInput extends TaskPatch {
  actor: Actor;
  title: string;
  /** The project to create the task in; the caller's Inbox when absent. */
  projectId?: string;
}

export type CreateTaskError = TaskErrorOf<
  | 'ValidationFailed'
  | 'CategoryNotFound'
  | 'AssigneeNotFound'
  | 'ProjectNotFound'
  | 'Forbidden'
  | 'ProjectArchived'
>;

type Ports = Pick<
  TasksPorts,
  | 'projects'
  | 'tasks'
  | 'categories'
  | 'comments'
  | 'users'
  | 'outbox'
  | 'transactions'
  | 'reminders'
  | 'ids'
  | 'clock'
>;

/**
 * Creates a task owned by the caller, with their categories and, if given, an assignee, in a
 * project where the caller is `editor` or above (their Inbox by default). The caller's standing
 * and the assignee's membership are read under locks in the transaction that inserts the task, so
 * a role lowered or a member removed meanwhile either commits after the task or refuses it.
 */
export class CreateTask {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateTaskInput): ResultAsync<TaskView, CreateTaskError> {
    return new ResultAsync(this.create(input));
  }

  private async create(input: CreateTaskInput): Promise<Result<TaskView, CreateTaskError>> {
    const { ports } = this;
    const { actor, projectId: wanted, ...fields } = input;
    const now = ports.clock.now();
    const projectId = wanted ?? (await ports.projects.inboxOf(actor.userId));
    // Registration creates the Inbox in its transaction (and the migration did for earlier users).
    if (projectId === undefined) throw new Error(`user ${actor.userId} has no Inbox`);
    const created = Task.create(
      { ...fields, id: ports.ids.next(), projectId, ownerId: actor.userId },
      now,
    );
    if (created.isErr()) return err(created.error);
    const task = created.value;
    const categories = await ownedCategories(ports.categories, actor.userId, task.categoryIds);
    if (categories.isErr()) return err(categories.error);

    const events = await eventsOf(ports, undefined, task, actor.userId);
    const inserted = await ports.transactions.run(async () => {
      const allowed = await this.authorize(task, actor.userId, projectId, wanted === undefined);
      if (allowed.isErr()) return allowed;
      await ports.tasks.insert(task);
      if (events.length > 0) await ports.outbox.append(events);
      return ok(undefined);
    });
    if (inserted.isErr()) return err(inserted.error);
    return ok({ task, categories: categories.value, commentCount: 0, attachmentCount: 0 });
  }

  /**
   * In the transaction: the caller's standing and the assignee's, locked until the commit. The
   * caller's own Inbox, the default, needs no reading: they own it, and it is never archived.
   */
  private async authorize(
    task: Task,
    userId: string,
    projectId: string,
    ownInbox: boolean,
  ): Promise<Result<void, CreateTaskError>> {
    const access = ownInbox
      ? { projectId, userId, role: 'owner' as const, personal: true, archived: false }
      : await this.ports.projects.accessOf(projectId, userId, true);
    if (access?.role === undefined) return err({ type: 'ProjectNotFound', projectId });
    const allowed = mayPlaceTasks(access, 'create_task');
    if (allowed.isErr()) return err(allowed.error);
    if (task.assigneeId === null) return ok(undefined);
    const place = { projectId, personal: access.personal };
    const assignee = await checkAssignee(this.ports, task.assigneeId, place, true);
    return assignee.map(() => undefined);
  }
}
