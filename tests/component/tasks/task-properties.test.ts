import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectStatus,
  fieldsOf,
  namesField,
  TasksClient,
  type ProblemJson,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * Property-based tests through HTTP: whatever valid input a client sends round-trips through
 * POST and GET; whatever invalid input it sends is a 400 naming the field, never a 500.
 */

let t: TasksTestApp;
let user: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  user = new TasksClient(t, await register(t));
});
afterAll(async () => {
  await t.close();
});

const RUNS = 40;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CONTROL = /\p{Cc}/u;
const PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
const STATUSES = ['pending', 'in_progress', 'completed'] as const;

const codePoints = (s: string) => [...s].length;
const iso = (msFromNow: number) => new Date(Date.now() + msFromNow).toISOString();

/** Any code point, weighted towards the awkward ones: spaces, accents, CJK, emoji, astral planes. */
const unit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ' ',
      '\u00a0',
      '\u3000',
      'é',
      'ß',
      '中',
      '😀',
      '👩‍💻',
      '\u0301',
      '\u200b',
      '%',
      '_',
      "'",
      '"',
      '\\',
    ),
  },
);
const textOf = (min: number, max: number) => fc.string({ unit, minLength: min, maxLength: max });

/** 3–200 code points once trimmed, without control characters. */
const validTitle = textOf(3, 204)
  .map((s) => s.replace(/\p{Cc}/gu, 'x'))
  .filter((s) => codePoints(s.trim()) >= 3 && codePoints(s.trim()) <= 200);
/** At most 2000 code points; NUL is left out here (see the NUL example below). */
const validDescription = fc.option(
  fc.string({ unit: 'binary', maxLength: 2000 }).map((s) => s.replaceAll('\u0000', ' ')),
  { nil: null },
);
/** A future due date (≥ 1 minute ahead) and, optionally, a reminder between now and it. */
const validSchedule = fc.option(
  fc.integer({ min: MINUTE, max: 365 * DAY }).chain((dueIn) =>
    fc.record({
      due_date: fc.constant(dueIn),
      remind_at: fc.option(fc.integer({ min: 30_000, max: dueIn - 1 }), { nil: undefined }),
    }),
  ),
  { nil: undefined },
);

const validInput = fc.record({
  title: validTitle,
  description: validDescription,
  schedule: validSchedule,
  priority: fc.option(fc.constantFrom(...PRIORITIES), { nil: undefined }),
  status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }),
});

describe('valid task input round-trips through POST and GET', () => {
  it(`stores any valid input as given (title trimmed), ${RUNS} runs`, async () => {
    await fc.assert(
      fc.asyncProperty(validInput, async (input) => {
        const due = input.schedule && iso(input.schedule.due_date);
        const remind =
          input.schedule?.remind_at === undefined ? undefined : iso(input.schedule.remind_at);
        const payload = {
          title: input.title,
          description: input.description,
          ...(due ? { due_date: due } : {}),
          ...(remind ? { remind_at: remind } : {}),
          ...(input.priority ? { priority: input.priority } : {}),
          ...(input.status ? { status: input.status } : {}),
        };
        const created = await expectStatus<TaskJson>(await user.post('/tasks', payload), 201);
        const expected = {
          title: input.title.trim(),
          description: input.description,
          due_date: due ?? null,
          remind_at: remind ?? null,
          priority: input.priority ?? 'medium',
          status: input.status ?? 'pending',
        };
        expect(created).toMatchObject(expected);
        expect(created.completed_at === null).toBe(expected.status !== 'completed');
        expect(await user.task(created.id)).toEqual(created);
      }),
      { numRuns: RUNS },
    );
  });
});

type Invalid = { payload: Record<string, unknown>; field: string };

const notA = (valid: readonly string[]) =>
  fc.string({ maxLength: 12 }).filter((s) => !valid.includes(s));
const wrongType = fc.oneof(
  fc.integer(),
  // Finite only: JSON has no Infinity (JSON.stringify sends null, which some fields accept).
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
);
const notADate = fc
  .oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('tomorrow', '2026-02-30', '12/01/2030', '2030-01-01', '2030-01-01T25:00:00Z'),
  )
  .filter((s) => !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s));

/** One invalid field on top of an otherwise valid body. */
const invalidInput: fc.Arbitrary<Invalid> = fc.oneof(
  textOf(0, 2).map((title) => ({ payload: { title }, field: 'title' })),
  fc
    .string({ unit: 'grapheme-ascii', maxLength: 2 })
    .map((s) => ({ payload: { title: `  ${s.trim()}  \n` }, field: 'title' })),
  fc
    .string({ unit, minLength: 201, maxLength: 260 })
    .filter((s) => codePoints(s.trim()) > 200)
    .map((title) => ({ payload: { title }, field: 'title' })),
  fc
    .tuple(
      validTitle,
      fc.constantFrom('\u0000', '\u0007', '\n', '\t', '\u007f', '\u009b'),
      fc.nat(),
    )
    .map(([title, control, at]) => {
      const chars = [...title.trim()];
      const i = 1 + (at % Math.max(1, chars.length - 1));
      return {
        payload: { title: [...chars.slice(0, i), control, ...chars.slice(i)].join('') },
        field: 'title',
      };
    })
    .filter((x) => CONTROL.test(x.payload.title.trim())),
  fc
    .string({ unit: 'grapheme-ascii', minLength: 2001, maxLength: 2100 })
    .map((description) => ({ payload: { description }, field: 'description' })),
  fc
    .integer({ min: 1, max: 3650 * DAY })
    .map((ago) => ({ payload: { due_date: iso(-ago) }, field: 'due_date' })),
  fc
    .tuple(fc.integer({ min: MINUTE, max: 365 * DAY }), fc.integer({ min: 0, max: 30 * DAY }))
    .map(([dueIn, after]) => ({
      payload: { due_date: iso(dueIn), remind_at: iso(dueIn + after) },
      field: 'remind_at',
    })),
  fc
    .tuple(fc.integer({ min: MINUTE, max: 365 * DAY }), fc.integer({ min: 1000, max: 365 * DAY }))
    .map(([dueIn, ago]) => ({
      payload: { due_date: iso(dueIn), remind_at: iso(-ago) },
      field: 'remind_at',
    })),
  fc
    .integer({ min: MINUTE, max: 365 * DAY })
    .map((inMs) => ({ payload: { remind_at: iso(inMs) }, field: 'remind_at' })),
  fc
    .tuple(
      fc.constantFrom(
        'title',
        'description',
        'due_date',
        'remind_at',
        'priority',
        'status',
        'category_ids',
        'assignee_id',
      ),
      wrongType,
    )
    .map(([field, value]) => ({ payload: { [field]: value }, field })),
  fc
    .constantFrom('title', 'priority', 'status')
    .map((field) => ({ payload: { [field]: null }, field })),
  fc
    .tuple(fc.constantFrom('due_date', 'remind_at'), notADate)
    .map(([field, value]) => ({ payload: { [field]: value }, field })),
  notA(PRIORITIES).map((priority) => ({ payload: { priority }, field: 'priority' })),
  notA(STATUSES).map((status) => ({ payload: { status }, field: 'status' })),
  fc
    .tuple(fc.constantFrom('category_ids', 'assignee_id'), fc.string({ maxLength: 40 }))
    .map(([field, value]) => ({
      payload: { [field]: field === 'category_ids' ? [value] : value },
      field,
    })),
);

async function expectRefused(res: Response, field: string, payload: unknown) {
  const text = await res.text();
  expect(res.status, `${JSON.stringify(payload)} → ${res.status} ${text}`).toBe(400);
  const problem = JSON.parse(text) as ProblemJson;
  expect(problem.code).toBe('validation_failed');
  expect(
    namesField(problem, field),
    `${JSON.stringify(payload)} → ${fieldsOf(problem).join()}`,
  ).toBe(true);
  expect(text).not.toMatch(/stack|select |insert |Exception|at \//i);
}

describe('invalid task input is a 400 naming the field, never a 500', () => {
  it(`refuses invalid create bodies and stores nothing, ${RUNS} runs`, async () => {
    const creator = new TasksClient(t, await register(t));
    await fc.assert(
      fc.asyncProperty(invalidInput, async ({ payload, field }) => {
        const body = { title: 'A valid title', ...payload };
        await expectRefused(await creator.post('/tasks', body), field, body);
      }),
      { numRuns: RUNS },
    );
    expect((await creator.list()).total).toBe(0);
  });

  it(`refuses invalid patch bodies and leaves the task unchanged, ${RUNS} runs`, async () => {
    const task = await user.createTask({ title: 'Patch me, if you can' });
    await fc.assert(
      fc.asyncProperty(invalidInput, async ({ payload, field }) => {
        const body = { ...payload, version: task.version };
        await expectRefused(await user.patch(`/tasks/${task.id}`, body), field, body);
      }),
      { numRuns: RUNS },
    );
    expect(await user.task(task.id)).toEqual(task);
  });
});

describe('characters PostgreSQL or JSON handle specially', () => {
  it('refuses (400) or stores a description holding a NUL character, never 500', async () => {
    const res = await user.post('/tasks', {
      title: 'NUL inside',
      description: 'before\u0000after',
    });
    expect([201, 400], `${res.status} ${await res.clone().text()}`).toContain(res.status);
    if (res.status === 201) {
      const created = (await res.json()) as TaskJson;
      expect((await user.task(created.id)).description).toBe('before\u0000after');
    } else {
      expect(fieldsOf((await res.json()) as ProblemJson)).toContain('description');
    }
  });

  it('refuses (400) or stores a comment holding a NUL character, never 500', async () => {
    const task = await user.createTask();
    const res = await user.post(`/tasks/${task.id}/comments`, { body: 'before\u0000after' });
    expect([201, 400], `${res.status} ${await res.clone().text()}`).toContain(res.status);
  });

  it('refuses (400) a NUL character in a patched description, never 500', async () => {
    const task = await user.createTask();
    const res = await user.patch(`/tasks/${task.id}`, { description: 'x\u0000', version: 1 });
    expect([200, 400], `${res.status} ${await res.clone().text()}`).toContain(res.status);
    if (res.status !== 200) expect(await user.task(task.id)).toEqual(task);
  });

  it('answers a lone surrogate in the title either with 400 or with what it stored', async () => {
    const res = await user.post('/tasks', { title: 'half \ud83d pair' });
    if (res.status === 400) return;
    const created = await expectStatus<TaskJson>(res, 201);
    expect((await user.task(created.id)).title).toBe(created.title);
  });
});
