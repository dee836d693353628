/** What storage knows about a blob it kept. `contentType` is the type sniffed from the bytes. */
export interface StoredFile {
  key: string;
  sizeBytes: number;
  sha256: string;
  contentType: string;
}

/**
 * Where attachment bytes live. Keys are chosen by the storage and never derive from user input.
 * When `body` itself errors (the client went away, the upload was malformed), `put` rejects with
 * that same error and keeps nothing.
 */
export interface FileStorage {
  /** Streams `body` into storage under a new key; rejects with `FileTooLargeError` past `maxBytes` (nothing kept). */
  put(
    body: ReadableStream<Uint8Array>,
    options: { maxBytes: number; declaredContentType?: string },
  ): Promise<StoredFile>;
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; sizeBytes: number } | undefined>;
  delete(key: string): Promise<void>;
}

/** The body had more than `maxBytes` bytes; nothing was kept. */
export class FileTooLargeError extends Error {
  constructor(maxBytes?: number) {
    super(maxBytes === undefined ? 'File too large' : `The file may not exceed ${maxBytes} bytes`);
    this.name = 'FileTooLargeError';
  }
}

/** The declared content type contradicts the bytes (e.g. `image/png` over a PDF); nothing was kept. */
export class UnsupportedContentTypeError extends Error {
  constructor(message = 'The declared content type does not match the file') {
    super(message);
    this.name = 'UnsupportedContentTypeError';
  }
}
