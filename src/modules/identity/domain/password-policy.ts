import { err, ok, type Result } from 'neverthrow';
import type { IdentityErrorOf } from './identity.errors.ts';

/** Counted in Unicode code points (NFC), so an emoji or an accented letter is one character. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

/** A list of passwords attackers try first; entries are lower-case. */
export interface CommonPasswordList {
  has(lowercased: string): boolean;
}

export type WeakPassword = IdentityErrorOf<'WeakPassword'>;

/**
 * NIST SP 800-63B style: a length range and a block list, no composition rules. The email is
 * part of the check because it is the first thing an attacker who knows the account tries.
 */
export function checkPassword(
  password: string,
  context: { email: string; commonPasswords: CommonPasswordList },
): Result<void, WeakPassword> {
  // Judged as NFC, the form the hasher stores, so the same visible password gets the same verdict
  // however the client's keyboard composed its accents.
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < PASSWORD_MIN) return err({ type: 'WeakPassword', reason: 'too_short' });
  if (length > PASSWORD_MAX) return err({ type: 'WeakPassword', reason: 'too_long' });
  const lowered = normalised.toLowerCase();
  if (lowered === context.email.toLowerCase()) {
    return err({ type: 'WeakPassword', reason: 'equals_email' });
  }
  if (context.commonPasswords.has(lowered)) return err({ type: 'WeakPassword', reason: 'common' });
  return ok(undefined);
}
