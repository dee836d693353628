import { err, ok, type Result } from 'neverthrow';
import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';
import type { IdentityErrorOf } from './identity.errors.ts';
import { FULL_NAME_MAX, FULL_NAME_MIN } from './user.ts';

export { FULL_NAME_MAX };

/** The trimmed name, 1–100 code points without control characters. */
export function parseFullName(raw: string): Result<string, IdentityErrorOf<'ValidationFailed'>> {
  const name = raw.trim();
  const length = [...name].length;
  if (length < FULL_NAME_MIN || length > FULL_NAME_MAX) {
    return invalid(`must be ${FULL_NAME_MIN}–${FULL_NAME_MAX} characters`);
  }
  if (!NO_CONTROL_CHARACTERS.test(name)) return invalid('must not contain control characters');
  return ok(name);
}

function invalid(message: string) {
  return err({ type: 'ValidationFailed', field: 'full_name', message } as const);
}
