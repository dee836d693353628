import { describe, expect, it } from 'vitest';
import {
  audienceOf,
  effectiveReminderAt,
  recipientsOf,
  taskChangeEvents,
  taskCommentedEvent,
} from '../../../src/modules/tasks/domain/task-events.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import {
  ASSIGNEE,
  aTask,
  inboxOf,
  inFuture,
  minutes,
  NOW,
  OWNER,
} from '../../support/tasks/builders.ts';

const LEAD = 60;
const due = inFuture(minutes(180));
const context = (actorId: string) => ({ actorId, occurredAt: NOW, reminderLeadMinutes: LEAD });
const props = (overrides: Partial<TaskProps> = {}) => aTask({ id: 't1', ...overrides }).toProps();
const eventsOf = (before: TaskProps | undefined, after: TaskProps, actorId = OWNER) =>
  taskChangeEvents(before, after, context(actorId));
const typesOf = (before: TaskProps | undefined, after: TaskProps, actorId = OWNER) =>
  eventsOf(before, after, actorId).map((event) => event.type);

describe('effectiveReminderAt', () => {
  it('is remind_at when set, else the due date minus the lead, else none', () => {
    const remindAt = inFuture(minutes(30));
    expect(effectiveReminderAt(props({ dueDate: due, remindAt }), LEAD)).toEqual(remindAt);
    expect(effectiveReminderAt(props({ dueDate: due }), LEAD)).toEqual(inFuture(minutes(120)));
    expect(effectiveReminderAt(props(), LEAD)).toBeNull();
  });

  it('is none once the task is completed or deleted', () => {
    expect(effectiveReminderAt(props({ dueDate: due, status: 'completed' }), LEAD)).toBeNull();
    expect(effectiveReminderAt(props({ dueDate: due, deletedAt: NOW }), LEAD)).toBeNull();
  });
});

describe('taskChangeEvents', () => {
  it('reports a new task without assignee or dates with no event at all', () => {
    expect(eventsOf(undefined, props())).toEqual([]);
  });

  it('tells the assignee of a new task they were assigned', () => {
    expect(eventsOf(undefined, props({ assigneeId: ASSIGNEE, title: 'Ship it' }))).toEqual([
      {
        type: 'task.assigned',
        taskId: 't1',
        projectId: inboxOf(OWNER),
        actorId: OWNER,
        occurredAt: NOW,
        recipients: [ASSIGNEE],
        payload: { title: 'Ship it', assigneeId: ASSIGNEE, previousAssigneeId: null },
      },
    ]);
  });

  it('records a self-assignment but notifies no one of it', () => {
    const [event] = eventsOf(props(), props({ assigneeId: OWNER }));
    expect(event).toMatchObject({ type: 'task.assigned', recipients: [] });
  });

  it('tells the new assignee, not the old one, when a task changes hands', () => {
    const [event] = eventsOf(props({ assigneeId: 'someone' }), props({ assigneeId: ASSIGNEE }));
    expect(event).toMatchObject({
      recipients: [ASSIGNEE],
      payload: { assigneeId: ASSIGNEE, previousAssigneeId: 'someone' },
    });
  });

  it('tells owner and assignee of a status change, except whoever made it', () => {
    const before = props({ assigneeId: ASSIGNEE });
    const after = props({ assigneeId: ASSIGNEE, status: 'in_progress' });
    expect(eventsOf(before, after, ASSIGNEE)).toEqual([
      expect.objectContaining({
        type: 'task.status_changed',
        actorId: ASSIGNEE,
        recipients: [OWNER],
        payload: { title: after.title, from: 'pending', to: 'in_progress' },
      }),
    ]);
    expect(eventsOf(before, after, OWNER)[0]?.recipients).toEqual([ASSIGNEE]);
  });

  it('schedules the reminder of a new task with a due date at the due date minus the lead', () => {
    expect(eventsOf(undefined, props({ dueDate: due }))).toEqual([
      expect.objectContaining({
        type: 'task.reminder_changed',
        recipients: [OWNER],
        payload: { reminderAt: inFuture(minutes(120)).toISOString(), dueDate: due.toISOString() },
      }),
    ]);
  });

  it('reports a moved due date even when an explicit remind_at keeps the reminder time', () => {
    const remindAt = inFuture(minutes(30));
    const [event] = eventsOf(
      props({ dueDate: due, remindAt }),
      props({ dueDate: inFuture(minutes(300)), remindAt }),
    );
    expect(event?.payload).toEqual({
      reminderAt: remindAt.toISOString(),
      dueDate: inFuture(minutes(300)).toISOString(),
    });
  });

  it('calls the reminder off on completion and sets it again on reopening', () => {
    const open = props({ dueDate: due });
    const done = props({ dueDate: due, status: 'completed' });
    expect(eventsOf(open, done).map((e) => [e.type, e.payload])).toEqual([
      ['task.status_changed', { title: open.title, from: 'pending', to: 'completed' }],
      ['task.reminder_changed', { reminderAt: null, dueDate: due.toISOString() }],
    ]);
    expect(eventsOf(done, open)[1]?.payload).toMatchObject({ reminderAt: expect.any(String) });
  });

  it('calls the reminder off on deletion, and says nothing for a task that had none', () => {
    const [event] = eventsOf(props({ dueDate: due }), props({ dueDate: due, deletedAt: NOW }));
    expect(event).toMatchObject({ type: 'task.reminder_changed', payload: { reminderAt: null } });
    expect(eventsOf(props(), props({ deletedAt: NOW }))).toEqual([]);
  });

  it('reports the new recipients of a standing reminder when the assignee changes', () => {
    const types = typesOf(props({ dueDate: due }), props({ dueDate: due, assigneeId: ASSIGNEE }));
    expect(types).toEqual(['task.assigned', 'task.reminder_changed']);
    const [, reminder] = eventsOf(
      props({ dueDate: due }),
      props({ dueDate: due, assigneeId: ASSIGNEE }),
    );
    expect(reminder?.recipients).toEqual([OWNER, ASSIGNEE]);
  });

  it('stays silent about changes no one is notified of', () => {
    const before = props({ dueDate: due });
    expect(typesOf(before, { ...before, title: 'Renamed', priority: 'urgent' })).toEqual([]);
    expect(
      typesOf(props({ status: 'completed' }), props({ status: 'completed', dueDate: due })),
    ).toEqual([]);
  });
});

describe('taskCommentedEvent', () => {
  it('tells owner and assignee about a comment, except its author', () => {
    const task = props({ assigneeId: ASSIGNEE });
    const comment = { id: 'c1', authorId: ASSIGNEE, createdAt: NOW };
    expect(taskCommentedEvent(task, comment)).toEqual({
      type: 'task.commented',
      taskId: 't1',
      projectId: inboxOf(OWNER),
      actorId: ASSIGNEE,
      occurredAt: NOW,
      recipients: [OWNER],
      payload: { title: task.title, commentId: 'c1' },
    });
  });
});

describe('who is told about a task event', () => {
  const task = { ownerId: OWNER, assigneeId: ASSIGNEE };

  it('tells the new assignee of an assignment, the owner and the assignee of anything else', () => {
    expect(audienceOf('task.assigned', task)).toEqual([ASSIGNEE]);
    expect(audienceOf('task.status_changed', task)).toEqual([OWNER, ASSIGNEE]);
    expect(audienceOf('task.commented', task)).toEqual([OWNER, ASSIGNEE]);
    expect(audienceOf('task.reminder_changed', task)).toEqual([OWNER, ASSIGNEE]);
  });

  it('never tells the actor, and tells everyone once', () => {
    expect(recipientsOf('task.status_changed', [OWNER, ASSIGNEE], OWNER)).toEqual([ASSIGNEE]);
    expect(recipientsOf('task.commented', [OWNER, OWNER, null], ASSIGNEE)).toEqual([OWNER]);
    expect(recipientsOf('task.assigned', [OWNER], OWNER)).toEqual([]);
  });

  it('reminds everyone, whoever moved the reminder', () => {
    expect(recipientsOf('task.reminder_changed', [OWNER, ASSIGNEE], OWNER)).toEqual([
      OWNER,
      ASSIGNEE,
    ]);
  });
});

describe('commenters', () => {
  const COMMENTER = 'user-commenter';

  it('hear of a status change and of a comment, never of their own', () => {
    const before = props({ assigneeId: ASSIGNEE, dueDate: due });
    const after = { ...before, status: 'in_progress' as const };
    const events = taskChangeEvents(before, after, {
      ...context(ASSIGNEE),
      commenters: [COMMENTER, ASSIGNEE],
    });
    expect(events.find((e) => e.type === 'task.status_changed')?.recipients).toEqual([
      OWNER,
      COMMENTER,
    ]);
    const comment = { id: 'c1', authorId: COMMENTER, createdAt: NOW };
    expect(taskCommentedEvent(after, comment, [COMMENTER, 'user-other']).recipients).toEqual([
      OWNER,
      ASSIGNEE,
      'user-other',
    ]);
  });

  it('are not reminded: a reminder concerns the owner and the assignee', () => {
    expect(
      audienceOf('task.reminder_changed', props({ assigneeId: ASSIGNEE }), [COMMENTER]),
    ).toEqual([OWNER, ASSIGNEE]);
  });
});
