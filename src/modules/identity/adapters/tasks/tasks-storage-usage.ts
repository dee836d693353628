import type { GetStorageUsage } from '../../../tasks/index.ts';
import type { StorageUsage } from '../../application/ports.ts';

/** A user's storage usage, through the tasks module's own use case, which counts their uploads. */
export class TasksStorageUsage implements StorageUsage {
  private readonly getStorageUsage: Pick<GetStorageUsage, 'execute'>;

  constructor(getStorageUsage: Pick<GetStorageUsage, 'execute'>) {
    this.getStorageUsage = getStorageUsage;
  }

  async of(userId: string): Promise<{ usedBytes: number; quotaBytes: number }> {
    return (await this.getStorageUsage.execute({ actor: { userId } })).match(
      (usage) => usage,
      (never) => never,
    );
  }
}
