import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { Attachment } from '../domain/attachment.ts';
import type { TaskErrorOf } from '../domain/task.errors.ts';
import type { Actor, TasksPorts } from './ports.ts';
import { visibleTask } from './support/visible-task.ts';

export interface ListAttachmentsInput {
  actor: Actor;
  taskId: string;
}

export type ListAttachmentsError = TaskErrorOf<'TaskNotFound'>;

type Ports = Pick<TasksPorts, 'tasks' | 'attachments'>;

/** The attachments of a visible task, oldest first. */
export class ListAttachments {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: ListAttachmentsInput): ResultAsync<{ items: Attachment[] }, ListAttachmentsError> {
    return new ResultAsync(this.list(input));
  }

  private async list(
    input: ListAttachmentsInput,
  ): Promise<Result<{ items: Attachment[] }, ListAttachmentsError>> {
    const view = await visibleTask(this.ports.tasks, input.taskId, input.actor.userId);
    if (view.isErr()) return err(view.error);
    return ok({ items: await this.ports.attachments.listForTask(input.taskId) });
  }
}
