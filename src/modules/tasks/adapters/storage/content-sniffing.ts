/**
 * Content sniffing from magic numbers. The stored type of an attachment is what its bytes are,
 * never what the client said; a declared type only serves to reject uploads that contradict it.
 */

/*
 * Why these few signatures and not `file-type` (22.3.0 was tried on the samples of
 * tests/unit/tasks/content-sniffing.test.ts and a few more): it matches GIF on `GIF` and PDF on
 * `%PDF`, so text that starts with those words would be stored as an image or a PDF and refused
 * under `text/plain` ("keeps text that starts like a GIF or a PDF as text"); it names zip-based
 * formats (OOXML, OpenDocument, EPUB, JAR, APK, ...) and APNG by their own types, which would all
 * have to be folded back into `STORED_CONTENT_TYPES` one by one, a missed one turning a real .docx
 * into a 415; and its answer is asynchronous. The table below would still be needed to keep the
 * behaviour, so the dependency would add code, not remove it.
 */

/** How much of the start of a file is judged; enough for every signature and a fair text sample. */
export const SNIFF_BYTES = 4096;

export const OCTET_STREAM = 'application/octet-stream';
const TEXT_PLAIN = 'text/plain';

export interface Sniffed {
  /** The type to store: one of the recognised formats, `text/plain`, or `application/octet-stream`. */
  contentType: string;
  /** A native executable (PE, ELF, Mach-O): stored as octet-stream, and no declared type fits it. */
  executable: boolean;
}

const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));

const SIGNATURES: Array<{ contentType: string; bytes: Array<number | undefined> }> = [
  { contentType: 'image/png', bytes: [0x89, ...ascii('PNG\r\n\x1a\n')] },
  { contentType: 'image/jpeg', bytes: [0xff, 0xd8, 0xff] },
  { contentType: 'image/gif', bytes: ascii('GIF87a') },
  { contentType: 'image/gif', bytes: ascii('GIF89a') },
  // RIFF, then a 4-byte little-endian size, then the form type.
  {
    contentType: 'image/webp',
    bytes: [...ascii('RIFF'), undefined, undefined, undefined, undefined, ...ascii('WEBP')],
  },
  { contentType: 'application/pdf', bytes: ascii('%PDF-') },
  // Local file header, or the end-of-central-directory record of an empty archive. OOXML (docx,
  // xlsx, pptx), OpenDocument, EPUB and JAR files are zip archives and are stored as such.
  { contentType: 'application/zip', bytes: [...ascii('PK'), 0x03, 0x04] },
  { contentType: 'application/zip', bytes: [...ascii('PK'), 0x05, 0x06] },
  { contentType: 'application/gzip', bytes: [0x1f, 0x8b, 0x08] },
];

/** Every type an attachment can be stored (and served) with. */
export const STORED_CONTENT_TYPES: readonly string[] = [
  ...new Set(SIGNATURES.map((signature) => signature.contentType)),
  TEXT_PLAIN,
  OCTET_STREAM,
];

const EXECUTABLE_SIGNATURES: Array<number[]> = [
  ascii('MZ'), // DOS/Windows PE
  [0x7f, ...ascii('ELF')],
  [0xfe, 0xed, 0xfa, 0xce],
  [0xfe, 0xed, 0xfa, 0xcf],
  [0xce, 0xfa, 0xed, 0xfe],
  [0xcf, 0xfa, 0xed, 0xfe],
  [0xca, 0xfe, 0xba, 0xbe], // universal Mach-O (and Java classes)
];

const startsWith = (prefix: Uint8Array, bytes: Array<number | undefined>) =>
  prefix.length >= bytes.length &&
  bytes.every((byte, i) => byte === undefined || prefix[i] === byte);

/**
 * Judges the first bytes of a file. `complete` says the prefix is the whole file; when it is not,
 * a UTF-8 sequence cut at the end of the prefix does not make the text binary.
 */
export function sniff(prefix: Uint8Array, complete: boolean): Sniffed {
  const known = SIGNATURES.find((signature) => startsWith(prefix, signature.bytes));
  if (known) return { contentType: known.contentType, executable: false };
  if (EXECUTABLE_SIGNATURES.some((bytes) => startsWith(prefix, bytes))) {
    return { contentType: OCTET_STREAM, executable: true };
  }
  return { contentType: isText(prefix, complete) ? TEXT_PLAIN : OCTET_STREAM, executable: false };
}

export function sniffContentType(prefix: Uint8Array, complete = true): string {
  return sniff(prefix, complete).contentType;
}

/**
 * Text is valid UTF-8 without the control bytes that never occur in text (WHATWG MIME sniffing's
 * "binary data bytes": NUL and most C0 controls; tab, line feeds, form feed and escape are text).
 */
function isText(prefix: Uint8Array, complete: boolean): boolean {
  for (const byte of prefix) {
    if (
      byte <= 0x08 ||
      byte === 0x0b ||
      (byte >= 0x0e && byte <= 0x1a) ||
      (byte >= 0x1c && byte <= 0x1f)
    ) {
      return false;
    }
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(prefix, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/** Declared types each recognised format may arrive under. */
const ALIASES: Record<string, (type: string) => boolean> = {
  'image/png': (t) => t === 'image/png' || t === 'image/x-png' || t === 'image/apng',
  'image/jpeg': (t) => t === 'image/jpeg' || t === 'image/jpg' || t === 'image/pjpeg',
  'image/gif': (t) => t === 'image/gif',
  'image/webp': (t) => t === 'image/webp',
  'application/pdf': (t) => t === 'application/pdf' || t === 'application/x-pdf',
  'application/zip': (t) =>
    [
      'application/zip',
      'application/x-zip',
      'application/x-zip-compressed',
      'application/java-archive',
    ].includes(t) ||
    t.endsWith('+zip') ||
    t.startsWith('application/vnd.openxmlformats-officedocument.') ||
    t.startsWith('application/vnd.oasis.opendocument.') ||
    // Office's macro-enabled OOXML types (the plain `vnd.ms-excel` & co. are the older OLE files).
    (t.startsWith('application/vnd.ms-') && t.includes('macroenabled')) ||
    t === 'application/vnd.android.package-archive',
  'application/gzip': (t) =>
    ['application/gzip', 'application/x-gzip', 'application/x-tgz'].includes(t) ||
    t === 'application/x-compressed-tar' ||
    t.endsWith('+gzip'),
};

const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-dosexec',
  'application/vnd.microsoft.portable-executable',
  'application/x-executable',
  'application/x-elf',
  'application/x-sharedlib',
  'application/x-mach-binary',
  'application/java-vm',
]);

const TEXT_APPLICATION_TYPES = new Set([
  'application/json',
  'application/x-ndjson',
  'application/xml',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'application/x-sh',
  'application/x-yaml',
  'application/yaml',
  'application/toml',
  'application/sql',
  'application/csv',
  'application/rtf',
  'application/x-tex',
  'application/x-latex',
  'application/postscript',
  'message/rfc822',
]);

const isTextType = (t: string) =>
  t.startsWith('text/') ||
  TEXT_APPLICATION_TYPES.has(t) ||
  t.endsWith('+json') ||
  t.endsWith('+xml') ||
  t.endsWith('+yaml');

/** Types whose bytes this module would have recognised, so unrecognised bytes contradict them. */
const isVerifiableBinaryType = (t: string) =>
  Object.values(ALIASES).some((matches) => matches(t)) || EXECUTABLE_TYPES.has(t);

/** Types that are never text: images (but SVG), audio, video, fonts and the formats above. */
const isBinaryOnlyType = (t: string) =>
  (/^(image|audio|video|font)\//.test(t) && !isTextType(t)) || isVerifiableBinaryType(t);

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** `Image/PNG; charset=x` → `image/png`; an absent or empty type → undefined. */
export function essence(declared: string | undefined): string | undefined {
  const type = declared?.split(';', 1)[0]?.trim().toLowerCase();
  return type === undefined || type === '' ? undefined : type;
}

/**
 * Whether a declared type is compatible with the sniffed bytes. Declaring nothing, or
 * `application/octet-stream`, is always fine. A type this module can check must match the bytes;
 * a type it cannot check (say `video/mp4`) is accepted over bytes it does not recognise either,
 * but never over a recognised format, over text when the type is binary, or over an executable.
 */
export function declaredTypeFits(declared: string | undefined, sniffed: Sniffed): boolean {
  const type = essence(declared);
  if (type === undefined || type === OCTET_STREAM) return true;
  if (!MEDIA_TYPE.test(type)) return false;
  if (sniffed.executable) return EXECUTABLE_TYPES.has(type);
  const format = ALIASES[sniffed.contentType];
  if (format) return format(type);
  if (sniffed.contentType === TEXT_PLAIN) return !isBinaryOnlyType(type);
  return !isTextType(type) && !isVerifiableBinaryType(type);
}
