import { err, ok, type Result } from 'neverthrow';
import type { IdentityErrorOf } from './identity.errors.ts';
import { FULL_NAME_MAX, FULL_NAME_MIN } from './user.ts';

export { FULL_NAME_MAX, FULL_NAME_MIN };

// Names end up in mail bodies and admin listings; a control character there is never intended.
const CONTROL = /\p{Cc}/u;

/** The trimmed name, 1–100 code points without control characters. */
export function parseFullName(raw: string): Result<string, IdentityErrorOf<'ValidationFailed'>> {
  const name = raw.trim();
  const length = [...name].length;
  if (length < FULL_NAME_MIN || length > FULL_NAME_MAX) {
    return invalid(`must be ${FULL_NAME_MIN}–${FULL_NAME_MAX} characters`);
  }
  if (CONTROL.test(name)) return invalid('must not contain control characters');
  return ok(name);
}

function invalid(message: string) {
  return err({ type: 'ValidationFailed', field: 'full_name', message } as const);
}
