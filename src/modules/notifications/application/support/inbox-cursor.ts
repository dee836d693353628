/**
 * Inbox cursors are opaque to clients: base64url JSON of the last item's sequence number.
 * Nothing in one is trusted; anything that does not decode to a positive integer is invalid.
 */
export function encodeInboxCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

export function decodeInboxCursor(cursor: string): number | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const seq = (raw as Record<string, unknown>).s;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
}
