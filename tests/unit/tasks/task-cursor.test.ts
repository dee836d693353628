import { describe, expect, it } from 'vitest';
import {
  decodeCursor,
  encodeCursor,
} from '../../../src/modules/tasks/application/support/task-cursor.ts';
import type { TaskKeysetPosition } from '../../../src/modules/tasks/application/support/task-sort.ts';

const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('task cursors', () => {
  it.each<TaskKeysetPosition>([
    {
      sort: '-created_at',
      value: new Date('2030-01-01T00:00:00.123Z'),
      id: '00000000-0000-7000-8000-000000000001',
    },
    { sort: 'due_date', value: null, id: '00000000-0000-7000-8000-000000000002' },
    { sort: '-priority', value: 'urgent', id: '00000000-0000-7000-8000-000000000003' },
    { sort: 'title', value: 'Ünïcode “title”', id: '00000000-0000-7000-8000-000000000004' },
  ])('round-trips a position under $sort', (position) => {
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
  });

  it.each([
    ['not base64 JSON', 'garbage!'],
    ['not an object', forge(42)],
    ['an unknown sort', forge({ s: 'owner_id', v: 'x', i: 'a' })],
    ['no id', forge({ s: 'title', v: 'x' })],
    ['a date that is none', forge({ s: 'created_at', v: 'yesterday-ish', i: 'a' })],
    ['a null where only due dates may be null', forge({ s: 'created_at', v: null, i: 'a' })],
    ['an unknown priority', forge({ s: 'priority', v: 'critical', i: 'a' })],
  ])('rejects a cursor with %s', (_, cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
