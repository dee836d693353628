import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DESCRIPTION_MAX,
  lengthOf,
  TASK_PRIORITIES,
  TASK_STATUSES,
  TITLE_MAX,
  TITLE_MIN,
} from '../../../src/modules/tasks/domain/task-fields.ts';
import { Task } from '../../../src/modules/tasks/domain/task.ts';
import { inInbox, ASSIGNEE, aTask, NOW, OWNER } from '../../support/tasks/builders.ts';

const DAY = 86_400_000;
const CONTROL = /\p{Cc}/u;

/** Strings of any Unicode code points whose trimmed length, in code points, is in range. */
const text = (min: number, max: number, slack = 4) =>
  fc
    .string({ unit: 'binary', minLength: min, maxLength: max + slack })
    .filter((s) => lengthOf(s.trim()) >= min && lengthOf(s.trim()) <= max);
const validTitle = text(TITLE_MIN, TITLE_MAX).filter((s) => !CONTROL.test(s.trim()));
const validDescription = fc.option(
  fc
    .string({ unit: 'binary', maxLength: DESCRIPTION_MAX })
    .filter((s) => lengthOf(s) <= DESCRIPTION_MAX),
);
/** A due date up to a year ahead and a reminder strictly between now and it, or none. */
const validSchedule = fc.integer({ min: 2, max: 365 * DAY }).chain((dueIn) =>
  fc.record({
    dueDate: fc.constant(new Date(NOW.getTime() + dueIn)),
    remindAt: fc.option(
      fc.integer({ min: 1, max: dueIn - 1 }).map((ms) => new Date(NOW.getTime() + ms)),
    ),
  }),
);
const create = (input: Partial<Parameters<typeof Task.create>[0]>) =>
  Task.create({ id: 't', projectId: 'p', ownerId: OWNER, title: 'A valid title', ...input }, NOW);
const rejectedFields = (result: ReturnType<typeof create>) =>
  result.match(
    () => [],
    (error) => error.errors.map((e) => e.field),
  );

describe('Task invariants, for any input', () => {
  it('accepts every valid input, stores it as given (title trimmed), and round-trips', () => {
    fc.assert(
      fc.property(
        validTitle,
        validDescription,
        fc.option(validSchedule),
        fc.constantFrom(...TASK_STATUSES),
        fc.constantFrom(...TASK_PRIORITIES),
        (title, description, schedule, status, priority) => {
          const input = { title, description, status, priority, ...schedule };
          const task = create(input)._unsafeUnwrap();

          expect(task.toProps()).toMatchObject({
            title: title.trim(),
            description,
            status,
            priority,
            dueDate: schedule?.dueDate ?? null,
            remindAt: schedule?.remindAt ?? null,
            completedAt: status === 'completed' ? NOW : null,
            version: 1,
          });
          expect(Task.restore(task.toProps()).toProps()).toEqual(task.toProps());
        },
      ),
    );
  });

  it('rejects any title shorter than 3 or longer than 200 trimmed characters, naming title', () => {
    const short = fc
      .string({ unit: 'binary', maxLength: 6 })
      .filter((s) => lengthOf(s.trim()) < TITLE_MIN);
    const long = text(TITLE_MAX + 1, TITLE_MAX + 50);
    fc.assert(
      fc.property(fc.oneof(short, long), (title) => {
        expect(rejectedFields(create({ title }))).toEqual(['title']);
      }),
    );
  });

  it('rejects any description over 2000 characters, naming description', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 500 }),
        fc.string({ minLength: 1, maxLength: 1 }),
        (extra, char) => {
          const description = char.repeat(DESCRIPTION_MAX + extra);
          expect(rejectedFields(create({ description }))).toEqual(['description']);
        },
      ),
    );
  });

  it('rejects any due date at or before now, naming due_date', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3650 * DAY }), (ago) => {
        const dueDate = new Date(NOW.getTime() - ago);
        expect(rejectedFields(create({ dueDate }))).toEqual(['due_date']);
      }),
    );
  });

  it('rejects any reminder at or after the due date, or in the past, naming remind_at', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 365 * DAY }),
        fc.oneof(fc.integer({ min: 0, max: DAY }), fc.integer({ min: -DAY, max: 0 })),
        (dueIn, offset) => {
          const dueDate = new Date(NOW.getTime() + dueIn);
          // offset ≥ 0: at or after the due date; offset ≤ 0 from now: not in the future.
          const remindAt = new Date(
            offset >= 0 ? dueDate.getTime() + offset : NOW.getTime() + offset,
          );
          expect(rejectedFields(create({ dueDate, remindAt }))).toEqual(['remind_at']);
        },
      ),
    );
  });

  it('keeps completed_at set exactly while the task is completed, through any status changes', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TASK_STATUSES), { maxLength: 20 }), (statuses) => {
        const task = aTask({ assigneeId: ASSIGNEE });
        statuses.forEach((status, i) => {
          task.changeStatus(status, inInbox(i % 2 ? OWNER : ASSIGNEE), new Date(NOW.getTime() + i));
          expect(task.completedAt !== null).toBe(task.status === 'completed');
        });
      }),
    );
  });

  it('bumps the version by exactly one for a patch that changes something, else not at all', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            title: validTitle,
            description: validDescription,
            priority: fc.constantFrom(...TASK_PRIORITIES),
            status: fc.constantFrom(...TASK_STATUSES),
          },
          { requiredKeys: [] },
        ),
        (patch) => {
          const task = aTask({ version: 7 });
          const before = task.toProps();
          const changed = task.update(patch, inInbox(OWNER), NOW)._unsafeUnwrap();
          expect(task.version).toBe(changed.length > 0 ? 8 : 7);
          if (changed.length === 0) expect(task.toProps()).toEqual(before);
        },
      ),
    );
  });
});
