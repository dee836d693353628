import type {
  LoginAdmission,
  UnknownLoginAttempts,
} from '../../../src/modules/identity/application/ports.ts';
import type { LockoutPolicy } from '../../../src/modules/identity/domain/user.ts';

/** The lockout rules of the Redis adapter, in a map. */
export class InMemoryUnknownLoginAttempts implements UnknownLoginAttempts {
  readonly entries = new Map<string, { count: number; lockedUntil: number }>();

  async begin(addressHash: string, now: Date, policy: LockoutPolicy): Promise<LoginAdmission> {
    const entry = this.entries.get(addressHash) ?? { count: 0, lockedUntil: 0 };
    const at = now.getTime();
    if (entry.lockedUntil > at) {
      return { locked: true, retryAfterSeconds: Math.ceil((entry.lockedUntil - at) / 1000) };
    }
    const count = entry.lockedUntil > 0 ? 1 : entry.count + 1;
    const lockedUntil = count >= policy.maxFailures ? at + policy.lockMinutes * 60_000 : 0;
    this.entries.set(addressHash, { count, lockedUntil });
    return { locked: false };
  }
}
