import { OCTET_STREAM } from '../storage/content-sniffing.ts';
import { FALLBACK_FILE_NAME } from './file-name.ts';

export interface FileDownload {
  body: ReadableStream<Uint8Array>;
  sizeBytes: number;
  /** The stored (sniffed) type. */
  contentType: string;
  filename: string;
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

/**
 * The response for an attachment's bytes: always a download (`attachment`), never rendered
 * inline, never sniffed by the browser into something executable, never cached by shared caches.
 */
export function fileDownloadResponse(file: FileDownload): Response {
  return new Response(file.body, {
    status: 200,
    headers: {
      'Content-Type': MEDIA_TYPE.test(file.contentType) ? file.contentType : OCTET_STREAM,
      'Content-Length': String(file.sizeBytes),
      'Content-Disposition': contentDisposition(file.filename),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}

/**
 * `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>` (RFC 6266 with
 * RFC 8187). Whatever the name holds, the header stays one line of visible ASCII: controls are
 * dropped, the fallback replaces anything outside printable ASCII (and `"`, `\`, `%`) with `_`,
 * and the extended form percent-encodes every byte outside RFC 8187's `attr-char`.
 */
export function contentDisposition(filename: string): string {
  const name = filename.toWellFormed().replace(/\p{Cc}/gu, '');
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_').trim() || FALLBACK_FILE_NAME;
  const encoded = encodeURIComponent(name || FALLBACK_FILE_NAME).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
