import { err, ok, type Result } from 'neverthrow';
import type { IdentityErrorOf } from './identity.errors.ts';

/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const EMAIL_MAX = 254;
const LOCAL_PART_MAX = 64;

// Dot-atom local part and LDH domain labels: what real mailboxes use, without quoted strings,
// comments or IP literals, which the RFC allows but no user types into a sign-up form.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;
const DOMAIN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/i;

/** Emails are compared and stored trimmed and lower-cased, so `A@X.io` and `a@x.io` are one account. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

export function isValidEmail(email: string): boolean {
  if (email.length > EMAIL_MAX) return false;
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return local.length <= LOCAL_PART_MAX && LOCAL_PART.test(local) && DOMAIN.test(domain);
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
