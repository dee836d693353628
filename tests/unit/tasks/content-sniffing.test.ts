import { describe, expect, it } from 'vitest';
import {
  declaredTypeFits,
  essence,
  sniff,
  sniffContentType,
} from '../../../src/modules/tasks/adapters/storage/content-sniffing.ts';
import { samples } from '../../support/tasks/file-samples.ts';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))),
  );

describe('content sniffing', () => {
  it.each([
    ['a PNG', samples.png, 'image/png'],
    ['a JPEG', samples.jpeg, 'image/jpeg'],
    ['a GIF87a', bytes('GIF87a', [1, 0, 1, 0]), 'image/gif'],
    ['a GIF89a', samples.gif, 'image/gif'],
    ['a WebP', samples.webp, 'image/webp'],
    ['a PDF', samples.pdf, 'application/pdf'],
    ['a zip (and so a docx)', samples.zip, 'application/zip'],
    ['an empty zip', bytes('PK', [5, 6], new Array<number>(18).fill(0)), 'application/zip'],
    ['a gzip stream', samples.gzip, 'application/gzip'],
    ['UTF-8 text', bytes('Grüße, 世界 🌍\r\n\tand\fmore\x1b[0m'), 'text/plain'],
    ['JSON', bytes('{"a": [1, 2, 3]}\n'), 'text/plain'],
    ['an empty file', bytes(), 'text/plain'],
    ['text with a NUL', bytes('abc\0def'), 'application/octet-stream'],
    ['text with a C0 control', bytes('abc\x01def'), 'application/octet-stream'],
    ['invalid UTF-8', bytes([0x61, 0xc3, 0x28, 0x62]), 'application/octet-stream'],
    ['UTF-16 text (NUL bytes)', Buffer.from('\ufeffhello', 'utf16le'), 'application/octet-stream'],
    ['random binary', samples.binary, 'application/octet-stream'],
    ['a Windows executable', samples.exe, 'application/octet-stream'],
    ['an ELF executable', samples.elf, 'application/octet-stream'],
  ])('recognises %s', (_name, content, expected) => {
    expect(sniffContentType(content)).toBe(expected);
  });

  it('does not call text binary because the sniffed prefix cuts a UTF-8 sequence', () => {
    const euro = Buffer.from('€'); // three bytes
    const cut = Buffer.concat([Buffer.from('price: '), euro.subarray(0, 2)]);
    expect(sniff(cut, false).contentType).toBe('text/plain');
    expect(sniff(cut, true).contentType).toBe('application/octet-stream');
  });

  it('keeps text that starts like a GIF or a PDF as text', () => {
    for (const text of ['GIF is short for Graphics Interchange Format', '%PDF1 is no PDF']) {
      const sniffed = sniff(bytes(text), true);
      expect(sniffed.contentType).toBe('text/plain');
      expect(declaredTypeFits('text/plain', sniffed)).toBe(true);
    }
  });

  it('flags native executables', () => {
    expect(sniff(samples.exe, true).executable).toBe(true);
    expect(sniff(samples.elf, true).executable).toBe(true);
    expect(sniff(samples.png, true).executable).toBe(false);
  });

  it('reduces a declared type to its lower-case essence', () => {
    expect(essence(' Image/PNG ; charset=binary')).toBe('image/png');
    expect(essence('')).toBeUndefined();
    expect(essence(undefined)).toBeUndefined();
  });
});

describe('declared content types', () => {
  const of = (content: Uint8Array) => sniff(content, true);

  it.each([
    [undefined, samples.pdf],
    ['application/octet-stream', samples.exe],
    ['application/octet-stream; foo=bar', samples.png],
    ['image/png', samples.png],
    ['IMAGE/PNG', samples.png],
    ['image/jpg', samples.jpeg],
    ['application/pdf', samples.pdf],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', samples.zip],
    ['application/x-zip-compressed', samples.zip],
    ['application/epub+zip', samples.zip],
    ['application/x-gzip', samples.gzip],
    ['text/plain; charset=utf-8', bytes('hello')],
    ['text/csv', bytes('a,b\n1,2\n')],
    ['application/json', bytes('{}')],
    ['image/svg+xml', bytes('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['application/vnd.ms-excel', bytes('a;b\n1;2\n')], // how Windows labels a CSV
    ['video/mp4', samples.binary], // a format this module cannot check
    ['application/msword', samples.binary],
    ['application/x-msdownload', samples.exe],
  ])('accepts %s over matching bytes', (declared, content) => {
    expect(declaredTypeFits(declared, of(content))).toBe(true);
  });

  it.each([
    ['image/png', 'a PDF', samples.pdf],
    ['image/png', 'an executable', samples.exe],
    ['image/png', 'a JPEG', samples.jpeg],
    ['image/png', 'text', bytes('just text')],
    ['image/png', 'unrecognised bytes', samples.binary],
    ['application/pdf', 'a zip', samples.zip],
    ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'a PDF', samples.pdf],
    ['text/plain', 'a PNG', samples.png],
    ['text/plain', 'binary bytes', samples.binary],
    ['text/html', 'an executable', samples.exe],
    ['application/json', 'gzip', samples.gzip],
    ['video/mp4', 'a PNG', samples.png],
    ['video/mp4', 'an executable', samples.exe],
    ['audio/mpeg', 'text', bytes('plain text')],
    ['not a media type', 'anything', samples.png],
  ])('rejects %s over %s', (declared, _name, content) => {
    expect(declaredTypeFits(declared, of(content))).toBe(false);
  });
});
