import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ListTasks,
  type ListTasksInput,
  type ListTasksOutput,
} from '../../../src/modules/tasks/application/list-tasks.ts';
import { encodeCursor } from '../../../src/modules/tasks/application/support/task-cursor.ts';
import {
  TASK_SORTS,
  type TaskSort,
} from '../../../src/modules/tasks/application/support/task-sort.ts';
import { TASK_PRIORITIES } from '../../../src/modules/tasks/domain/task-fields.ts';
import type { TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { as, ASSIGNEE, inFuture, NOW, OWNER, STRANGER } from '../../support/tasks/builders.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';
import { uuidFor } from '../../support/tasks/sequential-uuids.ts';

const at = (minute: number) => inFuture(minute * 60_000, new Date('2029-06-01T00:00:00Z'));

describe('ListTasks', () => {
  let bed: TasksTestbed;
  const list = (input: Partial<ListTasksInput> = {}) =>
    new ListTasks(bed.ports).execute({ actor: as(OWNER), page: 1, limit: 20, ...input });
  const titles = async (input: Partial<ListTasksInput> = {}) =>
    (await list(input))._unsafeUnwrap().items.map((view) => view.task.title);
  const seed = (title: string, overrides: Partial<TaskProps> = {}) =>
    bed.seedTask({ id: uuidFor(`id-${title}`), title, ...overrides });

  beforeEach(() => {
    bed = tasksTestbed();
  });

  it("shows the caller's owned and assigned tasks, newest first, never others' or deleted ones", async () => {
    seed('old mine', { createdAt: at(1) });
    seed('assigned to me', { ownerId: STRANGER, assigneeId: OWNER, createdAt: at(2) });
    seed('new mine', { createdAt: at(3) });
    seed('not mine', { ownerId: STRANGER });
    seed('deleted', { deletedAt: NOW });

    expect(await list()).toMatchObject({
      value: { total: 3, page: 1, limit: 20, nextCursor: null },
    });
    expect(await titles()).toEqual(['new mine', 'assigned to me', 'old mine']);
    expect(await titles({ scope: 'owned' })).toEqual(['new mine', 'old mine']);
    expect(await titles({ scope: 'assigned' })).toEqual(['assigned to me']);
  });

  it('filters by status, priority, assignee and category', async () => {
    const work = bed.seedCategory();
    seed('a', { status: 'completed', priority: 'urgent' });
    seed('b', { assigneeId: ASSIGNEE, categoryIds: [work.id] });
    seed('c', { priority: 'urgent' });

    expect(await titles({ status: 'completed' })).toEqual(['a']);
    expect((await titles({ priority: 'urgent' })).sort()).toEqual(['a', 'c']);
    expect(await titles({ assigneeId: ASSIGNEE })).toEqual(['b']);
    expect(await titles({ categoryId: work.id })).toEqual(['b']);
  });

  it('filters by due date with inclusive bounds, leaving out tasks without one', async () => {
    seed('early', { dueDate: at(10) });
    seed('edge', { dueDate: at(20) });
    seed('late', { dueDate: at(30) });
    seed('undated');

    expect(await titles({ dueFrom: at(20), sort: 'due_date' })).toEqual(['edge', 'late']);
    expect(await titles({ dueTo: at(20), sort: 'due_date' })).toEqual(['early', 'edge']);
  });

  it('searches title and description, ignoring case and surrounding space', async () => {
    seed('Invoice ACME');
    seed('Call the bank', { description: 'about the acme invoice' });
    seed('Unrelated');

    expect((await titles({ q: '  acme ' })).sort()).toEqual(['Call the bank', 'Invoice ACME']);
    expect(await titles({ q: '   ' })).toHaveLength(3);
  });

  it('sorts by due date with undated tasks last in both directions', async () => {
    seed('later', { dueDate: at(2) });
    seed('undated');
    seed('sooner', { dueDate: at(1) });

    expect(await titles({ sort: 'due_date' })).toEqual(['sooner', 'later', 'undated']);
    expect(await titles({ sort: '-due_date' })).toEqual(['later', 'sooner', 'undated']);
  });

  it('sorts priority by urgency, not alphabetically', async () => {
    for (const priority of TASK_PRIORITIES) seed(priority, { priority });
    expect(await titles({ sort: 'priority' })).toEqual(['low', 'medium', 'high', 'urgent']);
    expect(await titles({ sort: '-priority' })).toEqual(['urgent', 'high', 'medium', 'low']);
  });

  it('pages by number with the total of all matches, and offers a cursor onwards', async () => {
    for (let i = 1; i <= 5; i++) seed(`t${i}`, { createdAt: at(i) });

    const second = (await list({ page: 2, limit: 2 }))._unsafeUnwrap();
    expect(second.items.map((v) => v.task.title)).toEqual(['t3', 't2']);
    expect(second.total).toBe(5);

    const rest = (await list({ cursor: second.nextCursor!, limit: 10 }))._unsafeUnwrap();
    expect(rest.items.map((v) => v.task.title)).toEqual(['t1']);
    expect(rest.nextCursor).toBeNull();
  });

  it('walks every sort with cursors, seeing each task exactly once and in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            minute: fc.integer({ min: 0, max: 5 }),
            due: fc.option(fc.integer({ min: 0, max: 3 })),
            priority: fc.constantFrom(...TASK_PRIORITIES),
            title: fc.constantFrom('alpha', 'beta', 'gamma'),
          }),
          { maxLength: 12 },
        ),
        fc.constantFrom(...TASK_SORTS),
        fc.integer({ min: 1, max: 4 }),
        async (rows, sort, limit) => {
          bed = tasksTestbed();
          rows.forEach((row, i) =>
            bed.seedTask({
              id: uuidFor(`task-${String(i).padStart(2, '0')}`),
              title: row.title,
              priority: row.priority,
              createdAt: at(row.minute),
              updatedAt: at(row.minute),
              dueDate: row.due === null ? null : at(row.due),
            }),
          );
          const everything = (await list({ sort, limit: 100 }))._unsafeUnwrap();
          expect(await walk(sort, limit)).toEqual(everything.items.map((v) => v.task.id));
        },
      ),
      { numRuns: 60 },
    );
  });

  async function walk(sort: TaskSort, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let page: ListTasksOutput | undefined;
    do {
      const cursor = page?.nextCursor ?? undefined;
      page = (await list({ sort, limit, ...(cursor ? { cursor } : {}) }))._unsafeUnwrap();
      seen.push(...page.items.map((v) => v.task.id));
    } while (page.nextCursor);
    return seen;
  }

  it('refuses a cursor from another sort, a forged one, or one with a page number', async () => {
    const cursor = encodeCursor({ sort: 'title', value: 'x', id: uuidFor('id-x') });
    const reasons = async (input: Partial<ListTasksInput>) =>
      (await list(input))._unsafeUnwrapErr().errors;

    expect(await reasons({ cursor, sort: 'due_date' })).toEqual([
      { field: 'cursor', message: 'belongs to sort=title' },
    ]);
    expect(await reasons({ cursor: 'not-a-cursor' })).toEqual([
      { field: 'cursor', message: 'is not a cursor this API issued' },
    ]);
    expect(await reasons({ cursor, sort: 'title', page: 2 })).toEqual([
      { field: 'cursor', message: 'cannot be combined with page' },
    ]);
  });

  it('refuses a due range that ends before it starts', async () => {
    const result = await list({ dueFrom: at(2), dueTo: at(1) });
    expect(result._unsafeUnwrapErr()).toEqual({
      type: 'ValidationFailed',
      errors: [{ field: 'due_to', message: 'must not be before due_from' }],
    });
  });
});
