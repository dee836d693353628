import { Parser } from '@asyncapi/parser';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderAsyncApiDocument } from '../../src/asyncapi-document.ts';
import { NotificationFrameSchema } from '../../src/modules/notifications/adapters/http/notifications.schemas.ts';
import { notificationFrameValidator } from '../support/notifications/asyncapi-frames.ts';

/** Spectral's severities: 0 error, 1 warning (2 information and 3 hint are let through). */
const ERROR_OR_WARNING = new Set<number>([0, 1]);
const committedPath = new URL('../../openapi/asyncapi.yaml', import.meta.url);

describe('the AsyncAPI contract of the WebSocket', () => {
  it('is committed exactly as the schemas generate it (run `npm run openapi` after changing one)', async () => {
    expect(await readFile(committedPath, 'utf8')).toBe(renderAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3.0 document without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(renderAsyncApiDocument());
    const findings = diagnostics
      .filter((d) => ERROR_OR_WARNING.has(d.severity))
      .map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(findings).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const channel = document?.channels().get('notifications');
    expect(channel?.address()).toBe('/api/v1/ws');
    expect(
      channel
        ?.messages()
        .all()
        .map((m) => m.id()),
    ).toEqual(['notification']);
  });

  it('describes the frame the code sends, and nothing looser', async () => {
    const valid = notificationFrameValidator(parse(await readFile(committedPath, 'utf8')));
    const frame = NotificationFrameSchema.parse({
      type: 'notification',
      data: {
        id: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f',
        type: 'task.assigned',
        task_id: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e70',
        actor_id: null,
        data: {
          title: 'Write the report',
          assignee_id: '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e71',
          previous_assignee_id: null,
        },
        read_at: null,
        created_at: '2026-11-22T10:00:00.000Z',
      },
    });
    expect(valid(frame)).toBe(true);
    expect(valid({ ...frame, type: 'ping' })).toBe(false);
    expect(valid({ ...frame, data: { ...frame.data, type: 'task.deleted' } })).toBe(false);
    expect(valid({ ...frame, data: { ...frame.data, created_at: 'yesterday' } })).toBe(false);
    // The details belong to the type: a comment's details do not make an assignment.
    const commentData = { title: 'Write the report', comment_id: frame.data.id };
    expect(valid({ ...frame, data: { ...frame.data, data: commentData } })).toBe(false);
    expect(
      valid({ ...frame, data: { ...frame.data, type: 'task.commented', data: commentData } }),
    ).toBe(true);
    const incomplete = Object.fromEntries(
      Object.entries(frame.data).filter(([key]) => key !== 'read_at'),
    );
    expect(valid({ ...frame, data: incomplete })).toBe(false);
  });
});
