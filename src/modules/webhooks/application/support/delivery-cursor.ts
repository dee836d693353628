/**
 * Delivery cursors are opaque to clients: base64url JSON of the last item's id. Nothing in one is
 * trusted; anything that does not decode to a UUID is invalid.
 */
export function encodeDeliveryCursor(id: string): string {
  return Buffer.from(JSON.stringify({ i: id })).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function decodeDeliveryCursor(cursor: string): string | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>).i;
  return typeof id === 'string' && UUID.test(id) ? id : undefined;
}
