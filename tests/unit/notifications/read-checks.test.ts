import { describe, expect, it } from 'vitest';
import { toNotification } from '../../../src/modules/notifications/adapters/persistence/notification-rows.ts';
import { checkOutboxEvent } from '../../../src/modules/notifications/adapters/persistence/outbox-event-check.ts';
import {
  decodeLiveEnvelope,
  encodeLiveMessage,
} from '../../../src/modules/notifications/adapters/realtime/live-message.ts';
import {
  checkNotification,
  type Notification,
} from '../../../src/modules/notifications/domain/notification.ts';

const read = {
  id: 'n-1',
  userId: 'user-1',
  seq: 1,
  taskId: 'task-1',
  actorId: 'user-2',
  readAt: null,
  createdAt: new Date('2026-11-22T10:00:00Z'),
};

const known: Notification[] = [
  {
    ...read,
    type: 'task.assigned',
    data: { title: 'T', assignee_id: 'user-1', previous_assignee_id: null },
  },
  {
    ...read,
    actorId: null,
    type: 'task.due_soon',
    data: { title: 'T', reminder_at: '2026-11-22T09:00:00.000Z', due_date: null },
  },
  { ...read, type: 'task.status_changed', data: { title: 'T', from: 'pending', to: 'completed' } },
  { ...read, type: 'task.commented', data: { title: 'T', comment_id: 'c-1' } },
  {
    ...read,
    taskId: null,
    type: 'project.invited',
    data: { project_id: 'p-1', project_name: 'P', role: 'editor', invitation_id: 'i-1' },
  },
  {
    ...read,
    taskId: null,
    type: 'project.member_added',
    data: { project_id: 'p-1', project_name: 'P', user_id: 'user-3', role: 'viewer' },
  },
  {
    ...read,
    taskId: null,
    type: 'project.member_removed',
    data: { project_id: 'p-1', project_name: 'P', user_id: 'user-1' },
  },
];

describe('a notification read back', () => {
  it('of each known type, with its data, is that notification', () => {
    for (const notification of known) {
      expect(checkNotification(notification)._unsafeUnwrap()).toEqual(notification);
    }
  });

  it('of an unknown type is none, and says why', () => {
    const checked = checkNotification({ ...read, type: 'task.archived', data: { title: 'T' } });
    expect(checked._unsafeUnwrapErr()).toMatch(/unknown notification type "task\.archived"/);
  });

  it('with data not of its type is none', () => {
    for (const data of [
      { title: 'T', comment_id: 'c-1' },
      { title: 'T', assignee_id: 'user-1' },
      null,
      'T',
    ]) {
      const checked = checkNotification({ ...read, type: 'task.assigned', data });
      expect(checked._unsafeUnwrapErr()).toMatch(/data not of type task\.assigned/);
    }
    const status = { title: 'T', from: 'pending', to: 'archived' };
    expect(checkNotification({ ...read, type: 'task.status_changed', data: status }).isErr()).toBe(
      true,
    );
  });

  it('from a stored row of an unknown type is an error, not a notification', () => {
    const row = {
      id: 'n-1',
      user_id: 'user-1',
      seq: '1',
      type: 'task.archived',
      task_id: null,
      actor_id: null,
      data: { title: 'T', comment_id: 'c-1' },
      read_at: null,
      created_at: '2026-11-22T10:00:00Z',
    };
    expect(() => toNotification(row)).toThrow(/unknown notification type/);
    expect(toNotification({ ...row, type: 'task.commented' })).toMatchObject({
      type: 'task.commented',
      seq: 1,
    });
  });

  it('from a live message drops an unknown type and keeps the others', () => {
    const message = JSON.parse(encodeLiveMessage(known)) as { items: Record<string, unknown>[] };
    message.items.push({ ...message.items[0], id: 'n-2', type: 'task.archived' });
    message.items.push({ ...message.items[0], id: 'n-3', data: { title: 'T' } });
    expect(decodeLiveEnvelope(JSON.stringify(message)).notifications).toEqual(known);
  });
});

describe('an outbox event claimed', () => {
  const event = {
    id: 'e-1',
    taskId: 'task-1',
    projectId: 'project-1',
    actorId: 'user-1',
    recipients: ['user-2'],
    occurredAt: new Date('2026-11-22T10:00:00Z'),
  };

  it('of each known type, with its payload, is that event', () => {
    for (const known of [
      { type: 'task.assigned', payload: { title: 'T', assigneeId: 'u', previousAssigneeId: null } },
      { type: 'task.status_changed', payload: { title: 'T', from: 'pending', to: 'in_progress' } },
      { type: 'task.commented', payload: { title: 'T', commentId: 'c' } },
      { type: 'task.reminder_changed', payload: { reminderAt: null, dueDate: null } },
    ]) {
      expect(checkOutboxEvent({ ...event, ...known })._unsafeUnwrap()).toEqual({
        ...event,
        ...known,
      });
    }
  });

  it('of an unknown type, or with a payload not of its type, is none', () => {
    expect(
      checkOutboxEvent({ ...event, type: 'task.archived', payload: {} })._unsafeUnwrapErr(),
    ).toMatch(/unknown type task\.archived/);
    expect(
      checkOutboxEvent({
        ...event,
        type: 'task.commented',
        payload: { title: 'T' },
      })._unsafeUnwrapErr(),
    ).toMatch(/payload not of type task\.commented/);
  });

  it('about a project, with its payload, is that event; with a task, or none, it is not', () => {
    const about = { ...event, taskId: null };
    for (const known of [
      {
        type: 'project.invited',
        payload: { projectName: 'P', role: 'admin', invitationId: 'i-1' },
      },
      { type: 'project.member_added', payload: { projectName: 'P', userId: 'u', role: 'viewer' } },
      { type: 'project.member_removed', payload: { projectName: 'P', userId: 'u' } },
    ]) {
      expect(checkOutboxEvent({ ...about, ...known })._unsafeUnwrap()).toEqual({
        ...about,
        ...known,
      });
    }
    const removed = { type: 'project.member_removed', payload: { projectName: 'P', userId: 'u' } };
    expect(checkOutboxEvent({ ...event, ...removed })._unsafeUnwrapErr()).toMatch(/no task/);
    expect(checkOutboxEvent({ ...about, projectId: null, ...removed })._unsafeUnwrapErr()).toMatch(
      /needs its project/,
    );
    expect(
      checkOutboxEvent({
        ...about,
        type: 'project.invited',
        payload: { projectName: 'P', role: 'owner', invitationId: 'i-1' },
      })._unsafeUnwrapErr(),
    ).toMatch(/payload not of type project\.invited/);
  });

  it('about a task, without its task or project, is none', () => {
    const status = { type: 'task.commented', payload: { title: 'T', commentId: 'c' } };
    expect(checkOutboxEvent({ ...event, taskId: null, ...status })._unsafeUnwrapErr()).toMatch(
      /without its task or project/,
    );
    expect(checkOutboxEvent({ ...event, projectId: null, ...status })._unsafeUnwrapErr()).toMatch(
      /without its task or project/,
    );
  });
});
