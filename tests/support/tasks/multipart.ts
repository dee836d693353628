export const BOUNDARY = '----TaskManagerTestBoundary7MA4YWxkTrZu0gW';

export interface PartSpec {
  name?: string;
  filename?: string;
  contentType?: string;
  /** Raw header lines that replace the generated ones. */
  headers?: string[];
  content: Uint8Array | string;
}

/** The header lines and closing bytes around parts, so big bodies can be streamed, not built. */
export function multipartFraming(
  parts: Array<Omit<PartSpec, 'content'>>,
  boundary = BOUNDARY,
): {
  heads: Buffer[];
  tail: Buffer;
} {
  const heads = parts.map((part, i) => {
    const lines = part.headers ?? [
      `Content-Disposition: form-data; name="${part.name ?? 'file'}"` +
        (part.filename === undefined ? '' : `; filename="${part.filename}"`),
      ...(part.contentType === undefined ? [] : [`Content-Type: ${part.contentType}`]),
    ];
    return Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n${lines.join('\r\n')}\r\n\r\n`);
  });
  return { heads, tail: Buffer.from(`\r\n--${boundary}--\r\n`) };
}

export function multipartBody(parts: PartSpec[], boundary = BOUNDARY): Buffer {
  const { heads, tail } = multipartFraming(parts, boundary);
  return Buffer.concat([
    ...parts.flatMap((part, i) => [heads[i] as Buffer, Buffer.from(part.content)]),
    tail,
  ]);
}

export const multipartType = (boundary = BOUNDARY) => `multipart/form-data; boundary=${boundary}`;

/** `content` as a web stream cut at the given offsets. */
export function chunkedStream(content: Uint8Array, cuts: number[]): ReadableStream<Uint8Array> {
  const offsets = [...new Set([0, ...cuts.filter((c) => c > 0 && c < content.length)])].sort(
    (a, b) => a - b,
  );
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const start = offsets[i];
      if (start === undefined) return controller.close();
      const end = offsets[i + 1] ?? content.length;
      controller.enqueue(content.slice(start, end));
      i += 1;
    },
  });
}
