export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
export const FILENAME_MAX = 255;
/** What a file whose name is empty once cleaned is called. */
export const FALLBACK_FILENAME = 'file';

export interface Attachment {
  id: string;
  taskId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  /** Where the bytes are in the file storage; never shown to clients. */
  storageKey: string;
  uploadedBy: string;
  createdAt: Date;
}

// Control characters would break the Content-Disposition header the name is sent back in.
const CONTROL = /\p{Cc}/gu;

/**
 * The name a client sent, made safe to store and echo: only its last path segment (browsers on
 * Windows send `C:\...`), no control characters, at most 255 characters.
 */
export function cleanFilename(raw: string | undefined): string {
  const base = (raw ?? '').split(/[/\\]/).pop() ?? '';
  const cleaned = [...base.replace(CONTROL, '').trim()].slice(0, FILENAME_MAX).join('').trim();
  return cleaned === '' || cleaned === '.' || cleaned === '..' ? FALLBACK_FILENAME : cleaned;
}
