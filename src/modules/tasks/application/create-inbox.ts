import { ok, ResultAsync } from 'neverthrow';
import { Project } from '../domain/project.ts';
import type { TasksPorts } from './ports.ts';

export interface CreateInboxInput {
  userId: string;
}

type Ports = Pick<TasksPorts, 'projects' | 'ids' | 'clock'>;

/**
 * Gives a new user their Inbox, the personal project of every task they create without one.
 * Runs inside the registration's transaction, so no account exists without it.
 */
export class CreateInbox {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: CreateInboxInput): ResultAsync<{ projectId: string }, never> {
    const { projects, ids, clock } = this.ports;
    const inbox = Project.inbox({ id: ids.next(), userId: input.userId }, clock.now());
    return new ResultAsync(
      projects.insert(inbox, input.userId).then(() => ok({ projectId: inbox.id })),
    );
  }
}
