import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FileTooLargeError,
  UnsupportedContentTypeError,
} from '../../../src/modules/tasks/application/support/file-storage.ts';
import {
  readSingleFile,
  uploadProblem,
  UploadRejectedError,
  type FileUpload,
} from '../../../src/modules/tasks/adapters/http/multipart-upload.ts';
import {
  BOUNDARY,
  chunkedStream,
  multipartBody,
  multipartType,
  type PartSpec,
} from '../../support/tasks/multipart.ts';

const MAX = 1024;

function request(
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return {
    headers: new Headers({ 'content-type': multipartType(), ...headers }),
    body: body instanceof ReadableStream ? body : chunkedStream(body, []),
  };
}

async function collect(upload: FileUpload): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of upload.stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<UploadRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadRejectedError);
  return error as UploadRejectedError;
}

const read = (parts: PartSpec[], headers?: Record<string, string>) =>
  readSingleFile(request(multipartBody(parts), headers), { maxBytes: MAX, overheadBytes: 512 });

describe('readSingleFile', () => {
  it('streams the file part whatever the chunking, skipping fields around it', async () => {
    const content = Buffer.from(`a\r\n--${BOUNDARY.slice(0, 10)} looks like a boundary\r\n-`);
    const body = multipartBody([
      { name: 'note', content: 'before' },
      { name: 'file', filename: 'report.txt', contentType: 'text/plain', content },
      { name: 'other', content: 'after' },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: body.length - 1 }), { maxLength: 12 }),
        async (cuts) => {
          const upload = await readSingleFile(request(chunkedStream(body, cuts)), {
            maxBytes: MAX,
          });
          expect(upload.filename).toBe('report.txt');
          expect(upload.declaredContentType).toBe('text/plain');
          expect(await collect(upload)).toEqual(content);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts a file of exactly the limit and refuses one byte more', async () => {
    const exact = await read([{ filename: 'a.bin', content: Buffer.alloc(MAX, 1) }]);
    expect((await collect(exact)).length).toBe(MAX);

    const over = await read([{ filename: 'a.bin', content: Buffer.alloc(MAX + 1, 1) }]);
    const error = await rejection(collect(over));
    expect(error.init).toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('refuses a Content-Length past the allowance without reading the body', async () => {
    let pulled = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const error = await rejection(
      readSingleFile(request(body, { 'content-length': String(MAX + 513) }), {
        maxBytes: MAX,
        overheadBytes: 512,
      }),
    );
    expect(error.init.status).toBe(413);
    expect(pulled).toBe(false);
  });

  it('refuses a body that outgrows the allowance in fields', async () => {
    const error = await rejection(
      read([
        { name: 'padding', content: Buffer.alloc(MAX + 600, 0x61) },
        { filename: 'a.txt', content: 'x' },
      ]),
    );
    expect(error.init.status).toBe(413);
  });

  it.each([
    ['no Content-Type', undefined],
    ['JSON', 'application/json'],
    ['urlencoded', 'application/x-www-form-urlencoded'],
    ['multipart/mixed', `multipart/mixed; boundary=${BOUNDARY}`],
  ])('answers 415 for %s', async (_name, type) => {
    const headers = new Headers(type === undefined ? {} : { 'content-type': type });
    const error = await rejection(
      readSingleFile({ headers, body: chunkedStream(Buffer.from('x'), []) }, { maxBytes: MAX }),
    );
    expect(error.init).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });

  it('accepts a quoted boundary and refuses a missing one with 400', async () => {
    const quoted = await read([{ filename: 'a.txt', content: 'hi' }], {
      'content-type': `multipart/form-data; charset=utf-8; boundary="${BOUNDARY}"`,
    });
    expect((await collect(quoted)).toString()).toBe('hi');

    const error = await rejection(
      read([{ filename: 'a.txt', content: 'hi' }], { 'content-type': 'multipart/form-data' }),
    );
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it.each<[string, PartSpec[], string]>([
    ['no file part', [{ name: 'title', content: 'x' }], 'file'],
    ['an empty body', [], 'file'],
    [
      'a file in another part',
      [
        { name: 'avatar', filename: 'me.png', content: 'x' },
        { name: 'file', filename: 'a.txt', content: 'x' },
      ],
      'avatar',
    ],
  ])('answers 400 validation_failed for %s', async (_name, parts, field) => {
    const body = parts.length === 0 ? Buffer.from(`--${BOUNDARY}--\r\n`) : multipartBody(parts);
    const error = await rejection(readSingleFile(request(body), { maxBytes: MAX }));
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(error.init.errors).toEqual([{ field, message: expect.any(String) }]);
  });

  it.each<[string, PartSpec]>([
    ['a second file part', { name: 'file', filename: 'b.txt', content: 'two' }],
    ['a file in another part', { name: 'extra', filename: 'b.txt', content: 'two' }],
  ])('fails the stream when %s follows the file', async (_name, second) => {
    const upload = await read([{ name: 'file', filename: 'a.txt', content: 'one' }, second]);
    const error = await rejection(collect(upload));
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it.each([
    ['cut short in the file', (body: Buffer) => body.subarray(0, body.length - 20)],
    ['missing the closing boundary', (body: Buffer) => body.subarray(0, body.length - 4)],
    ['with no boundary at all', () => Buffer.from('just some bytes')],
  ])('answers 400 for a body %s', async (_name, mangle) => {
    const body = mangle(multipartBody([{ filename: 'a.txt', content: 'x'.repeat(100) }]));
    const error = await rejection(
      readSingleFile(request(body), { maxBytes: MAX }).then((upload) => collect(upload)),
    );
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('reads RFC 8187 file names and unescapes quoted ones', async () => {
    const extended = await read([
      {
        headers: [
          `Content-Disposition: form-data; name="file"; filename="fallback.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`,
        ],
        content: 'x',
      },
    ]);
    expect(extended.filename).toBe('€ rates.txt');

    const quoted = await read([
      {
        headers: ['Content-Disposition: form-data; name="file"; filename="a;b\\"c.txt"'],
        content: 'x',
      },
    ]);
    expect(quoted.filename).toBe('a;bc.txt');
  });

  it('falls back to the plain file name when the extended one is undecodable', async () => {
    const latin1 = await read([
      {
        headers: [`Content-Disposition: form-data; name="file"; filename*=ISO-8859-1''caf%E9.txt`],
        content: 'x',
      },
    ]);
    expect(latin1.filename).toBe('café.txt');
    const broken = await read([
      {
        headers: [
          `Content-Disposition: form-data; name="file"; filename="plain.txt"; filename*=UTF-8''%E2%82`,
        ],
        content: 'x',
      },
    ]);
    expect(broken.filename).toBe('plain.txt');
  });

  it('accepts transport padding after a boundary and a preamble before the first', async () => {
    const body = Buffer.concat([
      Buffer.from('This is the preamble.\r\n'),
      Buffer.from(
        multipartBody([{ filename: 'a.txt', content: 'padded' }])
          .toString()
          .replace(BOUNDARY + '\r\n', BOUNDARY + ' \t \r\n'),
      ),
    ]);
    const upload = await readSingleFile(request(body), { maxBytes: MAX });
    expect((await collect(upload)).toString()).toBe('padded');
  });

  it.each<[string, PartSpec[]]>([
    ['part headers over 8 KiB', [{ headers: [`X-Long: ${'a'.repeat(9000)}`], content: 'x' }]],
    [
      'a part without Content-Disposition',
      [{ headers: ['Content-Type: text/plain'], content: 'x' }],
    ],
    [
      'a part that is not form-data',
      [{ headers: ['Content-Disposition: attachment; name="file"'], content: 'x' }],
    ],
    [
      'a part without a name',
      [{ headers: ['Content-Disposition: form-data; filename="a"'], content: 'x' }],
    ],
    ['a malformed header line', [{ headers: ['no colon here'], content: 'x' }]],
    ['seventeen parts', Array.from({ length: 17 }, (_, i) => ({ name: `f${i}`, content: 'x' }))],
  ])('answers 400 for %s', async (_name, parts) => {
    const error = await rejection(
      readSingleFile(request(multipartBody(parts)), { maxBytes: 64 * 1024 }),
    );
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it.each<[string, string[]]>([
    ['without Content-Disposition', ['Content-Type: text/plain']],
    ['that is not form-data', ['Content-Disposition: attachment; name="note"']],
    ['with a malformed header line', ['Content-Disposition: form-data; name="note"', 'no colon']],
    ['with headers over 8 KiB', [`X-Long: ${'a'.repeat(9000)}`, 'Content-Disposition: form-data']],
  ])('answers 400 for a malformed part even before a good file part: one %s', async (_n, lines) => {
    const body = multipartBody([
      { headers: lines, content: 'x' },
      { name: 'file', filename: 'a.txt', contentType: 'text/plain', content: 'fine' },
    ]);
    const error = await rejection(readSingleFile(request(body), { maxBytes: 64 * 1024 }));
    expect(error.init).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('reports a file part without Content-Type as undeclared, not as text', async () => {
    const upload = await read([{ filename: 'a.pdf', content: '%PDF-1.7' }]);
    expect(upload.declaredContentType).toBeUndefined();
    expect((await collect(upload)).toString()).toBe('%PDF-1.7');
  });

  it('sanitises path traversal out of the file name', async () => {
    const upload = await read([{ filename: '../../etc/passwd', content: 'x' }]);
    expect(upload.filename).toBe('passwd');
    const windows = await read([{ filename: '..\\..\\Windows\\evil.exe', content: 'x' }]);
    expect(windows.filename).toBe('evil.exe');
  });

  it('stops reading the body when the consumer cancels the stream', async () => {
    let cancelled = false;
    const body = multipartBody([{ filename: 'a.txt', content: 'x'.repeat(100) }]);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body.subarray(0, 120));
      },
      cancel() {
        cancelled = true;
      },
    });
    const upload = await readSingleFile(request(source), { maxBytes: MAX });
    await upload.stream.cancel();
    expect(cancelled).toBe(true);
  });
});

describe('uploadProblem', () => {
  it('maps storage rejections to 413 and 415 problems and leaves other errors alone', () => {
    expect(uploadProblem(new FileTooLargeError(10))).toMatchObject({
      status: 413,
      code: 'payload_too_large',
    });
    expect(uploadProblem(new UnsupportedContentTypeError())).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
    });
    expect(uploadProblem(new Error('disk full'))).toBeUndefined();
  });
});
