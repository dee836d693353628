import { err, ok, type Result } from 'neverthrow';
import type { IdentityErrorOf } from './identity.errors.ts';

/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const EMAIL_MAX = 254;
const LOCAL_PART_MAX = 64;

// Dot-atom local part (at most 64 characters) and LDH domain labels: what real mailboxes use,
// without quoted strings, comments or IP literals, which the RFC allows but no user types into a
// sign-up form. No flags, so the same source is the request schema's JSON Schema `pattern`.
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const TOP_LABEL = '(?:[A-Za-z]{2,63}|[Xx][Nn]--[A-Za-z0-9-]{1,59})';
export const EMAIL_PATTERN = new RegExp(
  `^(?=[^@]{1,${LOCAL_PART_MAX}}@)${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+${TOP_LABEL}$`,
);

/** Emails are compared and stored trimmed and lower-cased, so `A@X.io` and `a@x.io` are one account. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX && EMAIL_PATTERN.test(email);
}

/** The normalised address, or a validation failure naming the `email` field. */
export function parseEmail(raw: string): Result<string, IdentityErrorOf<'ValidationFailed'>> {
  const email = normaliseEmail(raw);
  if (isValidEmail(email)) return ok(email);
  return err({
    type: 'ValidationFailed',
    field: 'email',
    message: 'must be a valid email address',
  });
}
