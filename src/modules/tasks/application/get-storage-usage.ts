import { okAsync, ResultAsync } from 'neverthrow';
import type { Actor, TasksPorts } from './ports.ts';

export interface StorageUsage {
  /** Bytes of the attachments the user uploaded, counted until they are deleted or purged. */
  usedBytes: number;
  quotaBytes: number;
}

type Ports = Pick<TasksPorts, 'attachments' | 'storageQuota'>;

/** How much of their attachment quota a user has used. */
export class GetStorageUsage {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: { actor: Actor }): ResultAsync<StorageUsage, never> {
    return ResultAsync.fromSafePromise(this.ports.attachments.usageOf(input.actor.userId)).andThen(
      (usedBytes) => okAsync({ usedBytes, quotaBytes: this.ports.storageQuota.bytesPerUser }),
    );
  }
}
