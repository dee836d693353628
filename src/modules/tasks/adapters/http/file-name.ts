const MAX_FILE_NAME_LENGTH = 255;
export const FALLBACK_FILE_NAME = 'file';

const CONTROL = /\p{Cc}/gu; // C0, DEL and C1
// Bidirectional overrides and isolates let `exe.txt` display as `txt.exe`; zero-width marks hide.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const QUOTES = /["'`]/g;
const KEEP_EXTENSION_UP_TO = 16;

/**
 * A client's file name made safe to store and show: the last path segment only (both `/` and
 * `\`), without control characters, invisible direction marks or quotes, at most 255 characters
 * (keeping a short extension), and `file` when nothing usable is left. It is a label only: no
 * storage path is ever built from it.
 */
export function sanitizeFileName(raw: string | undefined): string {
  const cleaned = (raw ?? '')
    .toWellFormed()
    .normalize('NFC')
    .replace(CONTROL, '')
    .replace(INVISIBLE, '');
  const name = (cleaned.split(/[/\\]/).pop() ?? '').replace(QUOTES, '').trim();
  if (name === '' || /^\.+$/.test(name)) return FALLBACK_FILE_NAME;
  return truncate(name);
}

function truncate(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_FILE_NAME_LENGTH) return name;
  const dot = chars.lastIndexOf('.');
  const extension = dot > 0 && chars.length - dot <= KEEP_EXTENSION_UP_TO ? chars.slice(dot) : [];
  const base = chars.slice(0, MAX_FILE_NAME_LENGTH - extension.length);
  return [...base, ...extension].join('').trim();
}
