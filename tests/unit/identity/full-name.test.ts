import { describe, expect, it } from 'vitest';
import { FULL_NAME_MAX, parseFullName } from '../../../src/modules/identity/domain/full-name.ts';

describe('full name', () => {
  it('is trimmed', () => {
    expect(parseFullName('  Ada Lovelace  ')._unsafeUnwrap()).toBe('Ada Lovelace');
  });

  it('is rejected when empty after trimming', () => {
    expect(parseFullName('   ')._unsafeUnwrapErr()).toMatchObject({
      type: 'ValidationFailed',
      field: 'full_name',
    });
  });

  it(`allows ${FULL_NAME_MAX} code points, counting an emoji as one, and no more`, () => {
    expect(parseFullName('😀'.repeat(FULL_NAME_MAX)).isOk()).toBe(true);
    expect(parseFullName('a'.repeat(FULL_NAME_MAX + 1)).isErr()).toBe(true);
  });

  it('rejects control characters such as a line break', () => {
    expect(parseFullName('Ada\nBcc: victim@example.com')._unsafeUnwrapErr()).toEqual({
      type: 'ValidationFailed',
      field: 'full_name',
      message: 'must not contain control characters',
    });
  });
});
