import { describe, expect, it } from 'vitest';
import {
  contentDisposition,
  fileDownloadResponse,
} from '../../../src/modules/tasks/adapters/http/file-download.ts';
import { sanitizeFileName } from '../../../src/modules/tasks/adapters/http/file-name.ts';

describe('sanitizeFileName', () => {
  it.each([
    ['report.pdf', 'report.pdf'],
    ['../../etc/passwd', 'passwd'],
    ['..\\..\\boot.ini', 'boot.ini'],
    ['/absolute/path/x.txt', 'x.txt'],
    ['C:\\Users\\me\\cv.docx', 'cv.docx'],
    ['dir/..', 'file'],
    ['..', 'file'],
    ['...', 'file'],
    ['', 'file'],
    [undefined, 'file'],
    ['   ', 'file'],
    ['a\r\nX-Injected: 1.txt', 'aX-Injected: 1.txt'],
    ['nul\u0000byte.txt', 'nulbyte.txt'],
    ['say "hi" it\'s `me`.txt', 'say hi its me.txt'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe'],
    ['.bashrc', '.bashrc'],
    ['Übersicht 世界 🌍.png', 'Übersicht 世界 🌍.png'],
    ['e\u0301.txt', 'é.txt'],
  ])('makes %j into %j', (raw, expected) => {
    expect(sanitizeFileName(raw)).toBe(expected);
  });

  it('limits names to 255 characters and keeps a short extension', () => {
    const long = `${'ä'.repeat(300)}.tar.gz`;
    const name = sanitizeFileName(long);
    expect(Array.from(name)).toHaveLength(255);
    expect(name.endsWith('.gz')).toBe(true);
    expect(Array.from(sanitizeFileName('🌍'.repeat(300)))).toHaveLength(255);
  });
});

describe('contentDisposition', () => {
  it('gives an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('Grüße (final)*.pdf')).toBe(
      `attachment; filename="Gr__e (final)*.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%28final%29%2A.pdf`,
    );
  });

  it.each([
    'a"; filename="evil.html',
    'line\r\nSet-Cookie: x=1',
    'back\\slash%20.txt',
    "it's.txt",
    '\ud800lone surrogate',
  ])('keeps %j inside one safe header value', (name) => {
    const value = contentDisposition(name);
    expect(value).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[\x21-\x7e]+$/);
    const fallback = /filename="([^"]*)"/.exec(value)?.[1] ?? '';
    expect(fallback).not.toMatch(/["\\%]/);
    expect(value.match(/"/g)).toHaveLength(2);
    expect(() => new Headers({ 'Content-Disposition': value })).not.toThrow();
  });

  it('falls back to "file" for an empty name', () => {
    expect(contentDisposition('')).toBe(`attachment; filename="file"; filename*=UTF-8''file`);
  });
});

describe('fileDownloadResponse', () => {
  it('sets the download headers', () => {
    const res = fileDownloadResponse({
      body: new Blob(['%PDF-1.7']).stream(),
      sizeBytes: 8,
      contentType: 'application/pdf',
      filename: 'a.pdf',
    });
    expect(Object.fromEntries(res.headers)).toEqual({
      'content-type': 'application/pdf',
      'content-length': '8',
      'content-disposition': `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`,
      'x-content-type-options': 'nosniff',
      'cache-control': 'private, no-store',
    });
  });

  it('refuses to echo a malformed stored type', () => {
    const res = fileDownloadResponse({
      body: new Blob(['x']).stream(),
      sizeBytes: 1,
      contentType: 'text/html\r\nX-Evil: 1',
      filename: 'a',
    });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
  });
});
