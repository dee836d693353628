import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import { Task, type TaskPatch } from '../domain/task.ts';
import type { Actor, TasksPorts, TaskView } from './ports.ts';
import { checkAssignee, ownedCategories } from './support/task-references.ts';
import { eventsOf } from './support/task-writes.ts';

export interface CreateTaskInput extends TaskPatch {
  actor: Actor;
  title: string;
}

export type CreateTaskError = TaskErrorOf<
  'ValidationFailed' | 'CategoryNotFound' | 'AssigneeNotFound'
>;

type Ports = Pick<
  TasksPorts,
  | 'projects'
  | 'tasks'
  | 'categories'
  | 'users'
  | 'outbox'
  | 'transactions'
  | 'reminders'
  | 'ids'
  | 'clock'
>;

/** Creates a task owned by the caller, with their categories and, if given, an assignee. */
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
    const { actor, ...fields } = input;
    const now = ports.clock.now();
    const projectId = await ports.projects.inboxOf(actor.userId);
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
    if (task.assigneeId !== null) {
      const assignee = await checkAssignee(ports.users, task.assigneeId);
      if (assignee.isErr()) return err(assignee.error);
    }

    const events = eventsOf(ports, undefined, task, actor.userId);
    await ports.transactions.run(async () => {
      await ports.tasks.insert(task);
      if (events.length > 0) await ports.outbox.append(events);
    });
    return ok({ task, categories: categories.value, commentCount: 0, attachmentCount: 0 });
  }
}
