import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHmac, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { BoundedQueue } from '../../../shared/infra/bounded-queue.ts';
import type { PasswordCheck, PasswordHasher } from '../application/ports.ts';

/** API.md: bcrypt with cost ≥ 12. Above 31 bcrypt itself refuses. */
const MIN_COST = 12;
const MAX_COST = 31;

/**
 * A fixed, public domain-separation key, not a secret pepper: it makes the bcrypt input specific to
 * this service, so unsalted SHA-256 hashes leaked elsewhere cannot be tried against our bcrypt hashes
 * ("password shucking"), without a secret whose loss or rotation would invalidate every password.
 * Changing it invalidates every stored hash.
 */
const PREHASH_KEY = 'task-manager-api/bcrypt-prehash/v1';

/**
 * bcrypt reads only the first 72 bytes of its input, so two long passwords sharing a 72-byte prefix
 * would verify against each other. HMAC-SHA256 of the whole password, base64-encoded, is always
 * 44 ASCII characters without NUL bytes, so bcrypt sees every byte of the password through it.
 * NFC normalisation makes the same visible password hash the same whichever way the client's
 * keyboard composed its accents.
 */
function prehash(password: string): string {
  return createHmac('sha256', PREHASH_KEY)
    .update(password.normalize('NFC'), 'utf8')
    .digest('base64');
}

export interface BcryptPasswordHasherOptions {
  /**
   * Hashes computed at once. One per core: more only makes each slower while they take the
   * cores (and libuv's threads) from everything else.
   */
  concurrency?: number;
  /** Hashes waiting beyond those; more are refused with an `OverloadedError` (503). */
  maxWaiting?: number;
}

export class BcryptPasswordHasher implements PasswordHasher {
  readonly #cost: number;
  readonly #queue: BoundedQueue;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: number, options: BcryptPasswordHasherOptions = {}) {
    if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST) {
      throw new RangeError(
        `bcrypt cost must be an integer from ${MIN_COST} to ${MAX_COST}, got ${cost}`,
      );
    }
    this.#cost = cost;
    this.#queue = new BoundedQueue({
      name: 'password hashing',
      concurrency: options.concurrency ?? availableParallelism(),
      maxWaiting: options.maxWaiting ?? 32,
    });
  }

  // The async functions run on the libuv thread pool: a cost-12 hash would block the event loop ~170 ms.
  hash(password: string): Promise<string> {
    return this.#queue.run(() => bcryptHash(prehash(password), { cost: this.#cost }));
  }

  verify(password: string, encodedHash: string): Promise<boolean> {
    return this.#queue.run(() => check(password, encodedHash));
  }

  reserve(): PasswordCheck {
    const reservation = this.#queue.reserve();
    return {
      verify: (password, encodedHash) => reservation.run(() => check(password, encodedHash)),
      release: () => reservation.release(),
    };
  }

  async verifyDummy(password: string): Promise<void> {
    // Shared as a promise so concurrent first calls compute the dummy hash only once; made
    // outside the queue, once per process, and never refused.
    this.#dummyHash ??= bcryptHash(randomBytes(32).toString('base64'), { cost: this.#cost });
    const dummy = await this.#dummyHash;
    await this.verify(password, dummy);
  }
}

async function check(password: string, encodedHash: string): Promise<boolean> {
  try {
    return await bcryptVerify(prehash(password), encodedHash);
  } catch {
    return false;
  }
}
