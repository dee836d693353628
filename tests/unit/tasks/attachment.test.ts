import { describe, expect, it } from 'vitest';
import {
  cleanFilename,
  FALLBACK_FILENAME,
  FILENAME_MAX,
} from '../../../src/modules/tasks/domain/attachment.ts';

describe('cleanFilename', () => {
  it('keeps an ordinary name as it is', () => {
    expect(cleanFilename('Quarterly report (final).pdf')).toBe('Quarterly report (final).pdf');
  });

  it('keeps only the last path segment, whichever separator the client used', () => {
    expect(cleanFilename('../../etc/passwd')).toBe('passwd');
    expect(cleanFilename('C:\\Users\\ada\\notes.txt')).toBe('notes.txt');
  });

  it('drops control characters that would break a header', () => {
    expect(cleanFilename('evil\r\nSet-Cookie: x.txt')).toBe('evilSet-Cookie: x.txt');
  });

  it('cuts names to 255 characters, counting code points', () => {
    expect([...cleanFilename('📄'.repeat(300))]).toHaveLength(FILENAME_MAX);
  });

  it('names a file that has no usable name "file"', () => {
    for (const raw of [undefined, '', '   ', 'dir/', '..', '\u0000']) {
      expect(cleanFilename(raw)).toBe(FALLBACK_FILENAME);
    }
  });
});
