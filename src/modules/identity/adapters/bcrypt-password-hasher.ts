import { hash as bcryptHash, verify as bcryptVerify } from '@node-rs/bcrypt';
import { createHmac, randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../application/ports.ts';

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

export class BcryptPasswordHasher implements PasswordHasher {
  readonly #cost: number;
  #dummyHash: Promise<string> | undefined;

  constructor(cost: number) {
    if (!Number.isInteger(cost) || cost < MIN_COST || cost > MAX_COST) {
      throw new RangeError(
        `bcrypt cost must be an integer from ${MIN_COST} to ${MAX_COST}, got ${cost}`,
      );
    }
    this.#cost = cost;
  }

  // The async functions run on the libuv thread pool: a cost-12 hash would block the event loop ~170 ms.
  hash(password: string): Promise<string> {
    return bcryptHash(prehash(password), { cost: this.#cost });
  }

  async verify(password: string, encodedHash: string): Promise<boolean> {
    try {
      return await bcryptVerify(prehash(password), encodedHash);
    } catch {
      return false;
    }
  }

  async verifyDummy(password: string): Promise<void> {
    // Shared as a promise so concurrent first calls compute the dummy hash only once.
    this.#dummyHash ??= bcryptHash(randomBytes(32).toString('base64'), { cost: this.#cost });
    await this.verify(password, await this.#dummyHash);
  }
}
