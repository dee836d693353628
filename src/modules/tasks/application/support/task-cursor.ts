import { isStorableTime, TASK_PRIORITIES, TITLE_MAX } from '../../domain/task-fields.ts';
import { parseSort, TASK_SORTS, type TaskKeysetPosition, type TaskSortValue } from './task-sort.ts';

/**
 * Cursors are opaque to clients: base64url JSON of the keyset position. Nothing in one is trusted;
 * a cursor that does not decode to a well-formed position is simply invalid.
 */
export function encodeCursor(position: TaskKeysetPosition): string {
  const value = position.value instanceof Date ? position.value.toISOString() : position.value;
  return Buffer.from(JSON.stringify({ s: position.sort, v: value, i: position.id })).toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): TaskKeysetPosition | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { s: sort, v: encoded, i: id } = raw as Record<string, unknown>;
  const knownSort = TASK_SORTS.find((candidate) => candidate === sort);
  if (!knownSort || typeof id !== 'string' || !UUID.test(id)) return undefined;
  const value = decodeValue(parseSort(knownSort).field, encoded);
  return value === undefined ? undefined : { sort: knownSort, value, id };
}

function decodeValue(field: string, encoded: unknown): TaskSortValue | undefined {
  if (field === 'due_date' && encoded === null) return null;
  if (typeof encoded !== 'string') return undefined;
  if (field === 'title')
    return isPlainText(encoded) && encoded.length <= TITLE_MAX * 2 ? encoded : undefined;
  if (field === 'priority') return TASK_PRIORITIES.find((priority) => priority === encoded);
  const date = new Date(encoded);
  return isStorableTime(date) ? date : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Text a title could be: well-formed Unicode without NUL (which the database cannot hold). */
const isPlainText = (text: string) => text.isWellFormed() && !text.includes('\0');
