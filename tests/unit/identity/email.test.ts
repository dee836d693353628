import { describe, expect, it } from 'vitest';
import {
  EMAIL_MAX,
  isValidEmail,
  normaliseEmail,
  parseEmail,
} from '../../../src/modules/identity/domain/email.ts';

describe('email', () => {
  it('normalises by trimming and lower-casing', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM \n')).toBe('ada.lovelace@example.com');
  });

  it.each([
    'ada@example.com',
    'first.last+tag@mail.example.co.uk',
    "o'brien@example.ie",
    'x@xn--bcher-kva.example',
    'a_b-c@sub-domain.io',
  ])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
  });

  it.each([
    '',
    'no-at-sign',
    '@example.com',
    'ada@',
    'ada@localhost',
    'ada@example.c',
    'ada@-example.com',
    'ada@example-.com',
    'ada..lovelace@example.com',
    '.ada@example.com',
    'ada.@example.com',
    'ada lovelace@example.com',
    'ada@exa mple.com',
    'ada@@example.com',
    '"quoted"@example.com',
    'ada@[127.0.0.1]',
  ])('rejects %j', (email) => {
    expect(isValidEmail(email)).toBe(false);
  });

  it(`rejects addresses longer than ${EMAIL_MAX} characters and local parts longer than 64`, () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.com`;
    expect(isValidEmail(`${'x'.repeat(254 - domain.length - 1)}@${domain}`)).toBe(true);
    expect(isValidEmail(`${'x'.repeat(255 - domain.length - 1)}@${domain}`)).toBe(false);
    expect(isValidEmail(`${'x'.repeat(64)}@example.com`)).toBe(true);
    expect(isValidEmail(`${'x'.repeat(65)}@example.com`)).toBe(false);
  });

  it('parses to the normalised address or a validation failure on the email field', () => {
    expect(parseEmail(' Ada@Example.com ')._unsafeUnwrap()).toBe('ada@example.com');
    expect(parseEmail('nope')._unsafeUnwrapErr()).toEqual({
      type: 'ValidationFailed',
      field: 'email',
      message: 'must be a valid email address',
    });
  });
});
