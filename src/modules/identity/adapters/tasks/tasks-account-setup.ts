import type { CreateInbox } from '../../../tasks/index.ts';
import type { AccountSetup } from '../../application/ports.ts';

/** A new account's Inbox, through the tasks module's own use case. */
export class TasksAccountSetup implements AccountSetup {
  private readonly createInbox: Pick<CreateInbox, 'execute'>;

  constructor(createInbox: Pick<CreateInbox, 'execute'>) {
    this.createInbox = createInbox;
  }

  async prepare(userId: string): Promise<void> {
    await this.createInbox.execute({ userId });
  }
}
