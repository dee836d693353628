import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

const b = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((part) =>
      typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part),
    ),
  );

/** The first bytes of real files of each kind (enough for sniffing), plus some filler. */
export const samples = {
  png: Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  ),
  jpeg: b([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10], 'JFIF', [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
  gif: b('GIF89a', [1, 0, 1, 0, 0x80, 0, 0]),
  webp: b('RIFF', [0x24, 0, 0, 0], 'WEBPVP8 ', [0x18, 0, 0, 0]),
  pdf: b('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n'),
  zip: b('PK', [3, 4, 20, 0, 0, 0, 8, 0], 'word/document.xml'),
  gzip: gzipSync('hello, attachments'),
  exe: b(
    'MZ',
    [0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff],
    'This program cannot be run in DOS mode',
  ),
  elf: b([0x7f], 'ELF', [2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  binary: b([0x00, 0x9c, 0x13, 0xfe, 0x42, 0x00, 0x01, 0x80, 0xaa, 0x55]),
};

/**
 * `size` bytes: `head`, then a cheap deterministic pseudo-random filler (never text, as it holds
 * NUL bytes), made in one buffer so a test can hash what it sends.
 */
export function fileOfSize(size: number, head: Uint8Array = samples.binary): Buffer {
  const content = Buffer.alloc(size);
  let state = 0x2545f491;
  for (let i = 0; i + 4 <= size; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    content.writeUInt32LE(state >>> 0, i);
  }
  content.set(head.subarray(0, size), 0);
  return content;
}

export const sha256 = (content: Uint8Array): string =>
  createHash('sha256').update(content).digest('hex');

/** A web stream of `content` in chunks of `chunkSize`, counting what was pulled from it. */
export function streamOf(
  content: Uint8Array,
  chunkSize = 64 * 1024,
): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => boolean } {
  let offset = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= content.length) return controller.close();
        const end = Math.min(offset + chunkSize, content.length);
        controller.enqueue(content.slice(offset, end));
        offset = end;
      },
      cancel() {
        cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => offset, cancelled: () => cancelled };
}
