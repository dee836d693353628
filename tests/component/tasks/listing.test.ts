import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  TasksClient,
  verifiedUser,
  type CategoryJson,
  type TaskJson,
  type TaskListJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

/**
 * GET /tasks. The fixture is built once and only read by the tests: a user who owns some tasks
 * and is assigned others, each with known status, priority, due date and categories, plus tasks
 * that must never show up (soft-deleted, someone else's). Expected answers are computed from the
 * tasks as read back, so the assertions state the rules, not a copy of the output.
 */

let t: TasksTestApp;
let me: TasksClient;
let colleague: TasksClient;
let outsider: TasksClient;
let catA: CategoryJson;
let catB: CategoryJson;
/** Every task `me` may see, as read back after the fixture was built. */
let visible: TaskJson[];
let deletedId: string;
let outsiderTaskId: string;

const HOUR = 3_600_000;
const base = Date.now() + 24 * HOUR;
const due = (hours: number | null) =>
  hours === null ? null : new Date(Math.floor(base / 1000) * 1000 + hours * HOUR).toISOString();

type Spec = {
  title: string;
  priority: TaskJson['priority'];
  status: TaskJson['status'];
  due: number | null;
  cats?: Array<'A' | 'B'>;
  assigned?: true;
  /** Assigned to its own owner. */
  self?: true;
  description?: string;
};

// Titles are plain lower-case letters, so any collation orders them as code points do.
const MINE: Spec[] = [
  { title: 'apple', priority: 'low', status: 'pending', due: 10, cats: ['A'] },
  { title: 'banana', priority: 'urgent', status: 'in_progress', due: null, assigned: true },
  { title: 'cherry', priority: 'medium', status: 'completed', due: 5, cats: ['A', 'B'] },
  { title: 'date', priority: 'high', status: 'pending', due: 20, assigned: true, cats: ['B'] },
  { title: 'elderberry', priority: 'low', status: 'in_progress', due: 5 },
  { title: 'fig', priority: 'urgent', status: 'pending', due: null, description: 'sweet' },
  { title: 'grape', priority: 'medium', status: 'pending', due: 30, assigned: true },
  { title: 'honeydew', priority: 'high', status: 'completed', due: null, cats: ['A'] },
  { title: 'imbe', priority: 'medium', status: 'pending', due: 1, self: true },
  { title: 'jackfruit', priority: 'low', status: 'pending', due: 40, cats: ['B'] },
];
/** Owned by the colleague, assigned to `me`. */
const THEIRS: Spec[] = [
  { title: 'kiwi', priority: 'high', status: 'pending', due: 15 },
  { title: 'lemon', priority: 'low', status: 'completed', due: null },
  { title: 'mango', priority: 'urgent', status: 'in_progress', due: 5 },
];

beforeAll(async () => {
  t = await createTasksTestApp();
  const [m, c, o] = await Promise.all([verifiedUser(t), verifiedUser(t), register(t)]);
  me = new TasksClient(t, m);
  colleague = new TasksClient(t, c);
  outsider = new TasksClient(t, o);
  catA = await me.createCategory('Category A');
  catB = await me.createCategory('Category B');
  const cats = { A: catA.id, B: catB.id };

  const create = (client: TasksClient, spec: Spec, assigneeId?: string) =>
    client.createTask({
      title: spec.title,
      priority: spec.priority,
      status: spec.status,
      due_date: due(spec.due),
      ...(spec.description ? { description: spec.description } : {}),
      category_ids: (spec.cats ?? []).map((k) => cats[k]),
      ...(assigneeId ? { assignee_id: assigneeId } : {}),
    });
  const created: TaskJson[] = [];
  for (const spec of MINE) {
    created.push(await create(me, spec, spec.self ? me.id : spec.assigned && colleague.id));
  }
  for (const spec of THEIRS) created.push(await create(colleague, spec, me.id));

  // Touch some tasks again, in an order unlike creation, so updated_at has its own order.
  for (const title of ['cherry', 'apple', 'kiwi', 'fig']) {
    const task = created.find((x) => x.title === title) as TaskJson;
    const client = title === 'kiwi' ? colleague : me;
    await new Promise((resolve) => setTimeout(resolve, 3));
    await expectStatus(
      await client.patch(`/tasks/${task.id}`, {
        description: `touched ${title}`,
        version: task.version,
      }),
      200,
    );
  }

  // Never listed: a soft-deleted task of mine, and an outsider's task.
  const deleted = await me.createTask({ title: 'nectarine deleted', priority: 'urgent' });
  expect((await me.del(`/tasks/${deleted.id}`)).status).toBe(204);
  deletedId = deleted.id;
  outsiderTaskId = (await outsider.createTask({ title: 'orange outsider', priority: 'urgent' })).id;

  visible = await Promise.all(created.map((x) => me.task(x.id)));
});
afterAll(async () => {
  await t.close();
});

const RANK = { low: 0, medium: 1, high: 2, urgent: 3 } as const;

type SortValue = string | number | null;
function sortValue(task: TaskJson, field: string): SortValue {
  switch (field) {
    case 'priority':
      return RANK[task.priority];
    case 'due_date':
      return task.due_date;
    case 'title':
      return task.title;
    case 'created_at':
      return task.created_at;
    default:
      return task.updated_at;
  }
}

/** The documented order: by the field, then by id in the same direction; no due date last both ways. */
function expectedOrder(tasks: TaskJson[], sort: string): string[] {
  const descending = sort.startsWith('-');
  const field = descending ? sort.slice(1) : sort;
  const cmp = (a: SortValue, b: SortValue) =>
    a === b ? 0 : (a as string) < (b as string) ? -1 : 1;
  return [...tasks]
    .sort((x, y) => {
      const [a, b] = [sortValue(x, field), sortValue(y, field)];
      if (a === null && b !== null) return 1;
      if (b === null && a !== null) return -1;
      const byField = cmp(a, b) || cmp(x.id, y.id);
      return descending ? -byField : byField;
    })
    .map((x) => x.id);
}

const SORTS = [
  'created_at',
  '-created_at',
  'due_date',
  '-due_date',
  'priority',
  '-priority',
  'title',
  '-title',
  'updated_at',
  '-updated_at',
];

const ids = (list: TaskListJson) => list.items.map((x) => x.id);
const idSet = (tasks: TaskJson[]) => new Set(tasks.map((x) => x.id));

describe('what is listed', () => {
  it('lists every task the user owns or is assigned, newest first by default, and nothing else', async () => {
    const list = await me.list('?limit=100');
    expect(list).toMatchObject({ total: visible.length, page: 1, limit: 100, next_cursor: null });
    expect(ids(list)).toEqual(expectedOrder(visible, '-created_at'));
    expect(ids(list)).not.toContain(deletedId);
    expect(ids(list)).not.toContain(outsiderTaskId);
    // Items are full tasks, as GET /tasks/{id} shows them.
    expect(list.items).toEqual(
      expectedOrder(visible, '-created_at').map((id) => visible.find((x) => x.id === id)),
    );
  });

  it('defaults to page 1 and limit 20', async () => {
    const list = await me.list();
    expect(list).toMatchObject({ page: 1, limit: 20, total: visible.length });
  });

  it('leaves total null with include_total=false, with the same items and cursors', async () => {
    const counted = await me.list('?limit=3&sort=title');
    const uncounted = await me.list('?limit=3&sort=title&include_total=false');
    expect(uncounted.total).toBeNull();
    expect(ids(uncounted)).toEqual(ids(counted));
    expect(uncounted.next_cursor).toBe(counted.next_cursor);
    const next = await me.list(
      `?limit=3&sort=title&include_total=false&cursor=${encodeURIComponent(uncounted.next_cursor!)}`,
    );
    expect(next.total).toBeNull();
    expect(ids(next)).toEqual(expectedOrder(visible, 'title').slice(3, 6));
    expect((await me.list('?include_total=true')).total).toBe(visible.length);
  });

  it('refuses an include_total that is not true or false (400 naming it)', async () => {
    const problem = await expectProblem(
      await me.get('/tasks?include_total=no'),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem)).toEqual(['include_total']);
  });
});

describe('sorting', () => {
  for (const sort of SORTS) {
    it(`sort=${sort} orders by the field, ties by id, tasks without due date last`, async () => {
      const list = await me.list(`?sort=${encodeURIComponent(sort)}&limit=100`);
      expect(ids(list)).toEqual(expectedOrder(visible, sort));
    });
  }

  it('orders priority by urgency, not alphabetically', async () => {
    const list = await me.list('?sort=-priority&limit=100');
    const priorities = list.items.map((x) => x.priority);
    expect(priorities.indexOf('urgent')).toBe(0);
    expect(priorities.lastIndexOf('low')).toBe(priorities.length - 1);
  });

  it('refuses an unknown sort (400 naming sort)', async () => {
    const problem = await expectProblem(
      await me.get('/tasks?sort=owner_id'),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem)).toEqual(['sort']);
  });
});

describe('filters', () => {
  const cases: Array<[string, () => string, (x: TaskJson) => boolean]> = [
    ['status=pending', () => 'status=pending', (x) => x.status === 'pending'],
    ['status=in_progress', () => 'status=in_progress', (x) => x.status === 'in_progress'],
    ['status=completed', () => 'status=completed', (x) => x.status === 'completed'],
    ['priority=low', () => 'priority=low', (x) => x.priority === 'low'],
    ['priority=medium', () => 'priority=medium', (x) => x.priority === 'medium'],
    ['priority=high', () => 'priority=high', (x) => x.priority === 'high'],
    ['priority=urgent', () => 'priority=urgent', (x) => x.priority === 'urgent'],
    [
      'due_from (inclusive)',
      () => `due_from=${encodeURIComponent(due(5) as string)}`,
      (x) => x.due_date !== null && x.due_date >= (due(5) as string),
    ],
    [
      'due_to (inclusive)',
      () => `due_to=${encodeURIComponent(due(15) as string)}`,
      (x) => x.due_date !== null && x.due_date <= (due(15) as string),
    ],
    [
      'due_from and due_to',
      () =>
        `due_from=${encodeURIComponent(due(5) as string)}&due_to=${encodeURIComponent(due(20) as string)}`,
      (x) =>
        x.due_date !== null &&
        x.due_date >= (due(5) as string) &&
        x.due_date <= (due(20) as string),
    ],
    [
      'category_id A',
      () => `category_id=${catA.id}`,
      (x) => x.categories.some((c) => c.id === catA.id),
    ],
    [
      'category_id B',
      () => `category_id=${catB.id}`,
      (x) => x.categories.some((c) => c.id === catB.id),
    ],
    [
      'assignee_id colleague',
      () => `assignee_id=${colleague.id}`,
      (x) => x.assignee_id === colleague.id,
    ],
    ['assignee_id me', () => `assignee_id=${me.id}`, (x) => x.assignee_id === me.id],
    ['scope=all', () => 'scope=all', () => true],
    ['scope=owned', () => 'scope=owned', (x) => x.owner_id === me.id],
    ['scope=assigned', () => 'scope=assigned', (x) => x.assignee_id === me.id],
    [
      'status, priority and scope together',
      () => 'status=pending&priority=low&scope=owned',
      (x) => x.status === 'pending' && x.priority === 'low' && x.owner_id === me.id,
    ],
    [
      'category and due range together',
      () => `category_id=${catA.id}&due_to=${encodeURIComponent(due(5) as string)}`,
      (x) =>
        x.categories.some((c) => c.id === catA.id) &&
        x.due_date !== null &&
        x.due_date <= (due(5) as string),
    ],
  ];

  for (const [name, query, keep] of cases) {
    it(`${name} lists exactly the matching tasks, with the matching total`, async () => {
      const expected = visible.filter(keep);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(visible.length + (name === 'scope=all' ? 1 : 0));
      const list = await me.list(`?${query()}&limit=100`);
      expect(new Set(ids(list))).toEqual(idSet(expected));
      expect(list.total).toBe(expected.length);
      expect(ids(list)).toEqual(expectedOrder(expected, '-created_at'));
    });
  }

  it('finds nothing by another user’s category, and does not leak it', async () => {
    const theirs = await outsider.createCategory();
    expect(await me.list(`?category_id=${theirs.id}`)).toMatchObject({ items: [], total: 0 });
  });

  it('lists a task its owner assigned to themself once, in every scope that matches', async () => {
    const self = visible.find((x) => x.title === 'imbe') as TaskJson;
    expect(self).toMatchObject({ owner_id: me.id, assignee_id: me.id });
    for (const scope of ['all', 'owned', 'assigned']) {
      const listed = ids(await me.list(`?scope=${scope}&limit=100`));
      expect(
        listed.filter((id) => id === self.id),
        scope,
      ).toHaveLength(1);
    }
  });

  it('answers extreme but well-formed due bounds with 200 or 400, never 500', async () => {
    const answers: string[] = [];
    for (const query of [
      'due_from=0000-01-01T00:00:00Z',
      'due_to=9999-12-31T23:59:59-23:59',
      'due_from=9999-12-31T23:59:59.999Z',
      'due_to=0001-01-01T00:00:00-23:59',
    ]) {
      const res = await me.get(`/tasks?${query}`);
      answers.push(`${res.status} ← ${query}`);
    }
    expect(answers.filter((a) => a.startsWith('5'))).toEqual([]);
  });

  it('refuses bad filter values (400 naming the field)', async () => {
    const cases: Array<[string, string]> = [
      ['status=done', 'status'],
      ['priority=critical', 'priority'],
      ['scope=everyone', 'scope'],
      ['due_from=tomorrow', 'due_from'],
      ['due_to=2026-13-01T00:00:00Z', 'due_to'],
      ['category_id=nope', 'category_id'],
      ['assignee_id=nope', 'assignee_id'],
      [
        `due_from=${encodeURIComponent(due(20) as string)}&due_to=${encodeURIComponent(due(5) as string)}`,
        'due_to',
      ],
    ];
    for (const [query, field] of cases) {
      const problem = await expectProblem(
        await me.get(`/tasks?${query}`),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem), query).toContain(field);
    }
  });
});

describe('q: case-insensitive substring of title or description, taken literally', () => {
  let searcher: TasksClient;
  const made: Record<string, TaskJson> = {};

  beforeAll(async () => {
    searcher = new TasksClient(t, await register(t));
    const specs: Array<[string, string, string | null]> = [
      ['percent', '100% done', null],
      ['hundred', '100 percent', 'nothing special'],
      ['snake', 'snake_case name', null],
      ['snakeX', 'snakeXcase name', null],
      ['needle', 'Haystack', 'Somewhere a NeEdLe hides'],
      ['title-needle', 'The needle itself', null],
      ['backslash', 'back\\slash', null],
      ['umlaut', 'Über Größe', null],
    ];
    for (const [key, title, description] of specs) {
      made[key] = await searcher.createTask({ title, ...(description ? { description } : {}) });
    }
  });

  const search = async (q: string) =>
    new Set(ids(await searcher.list(`?q=${encodeURIComponent(q)}&limit=100`)));
  const keys = (...k: string[]) => new Set(k.map((key) => made[key]?.id));

  it('matches the title or the description, in any case', async () => {
    expect(await search('needle')).toEqual(keys('needle', 'title-needle'));
    expect(await search('NEEDLE')).toEqual(keys('needle', 'title-needle'));
    expect(await search('hAySt')).toEqual(keys('needle'));
    expect(await search('special')).toEqual(keys('hundred'));
    expect(await search('  needle  ')).toEqual(keys('needle', 'title-needle'));
  });

  it('takes % and _ literally', async () => {
    expect(await search('%')).toEqual(keys('percent'));
    expect(await search('100%')).toEqual(keys('percent'));
    expect(await search('0% d')).toEqual(keys('percent'));
    expect(await search('_')).toEqual(keys('snake'));
    expect(await search('snake_case')).toEqual(keys('snake'));
    expect(await search('\\')).toEqual(keys('backslash'));
    expect(await search('%%')).toEqual(new Set());
  });

  it('lowers non-ASCII letters too', async () => {
    expect(await search('über')).toEqual(keys('umlaut'));
    expect(await search('GRÖSSE'.replace('SS', 'ß'))).toEqual(keys('umlaut'));
  });

  it('counts the matches in total and refuses an empty or over-long q (400)', async () => {
    const list = await searcher.list('?q=name&limit=1');
    expect(list.total).toBe(2);
    expect(list.items).toHaveLength(1);
    for (const q of ['', '   ', 'q'.repeat(201)]) {
      await expectProblem(
        await searcher.get(`/tasks?q=${encodeURIComponent(q)}`),
        400,
        'validation_failed',
      );
    }
  });

  it('answers a q holding a NUL character with 200 or 400, never 500', async () => {
    const res = await searcher.get(`/tasks?q=${encodeURIComponent('a\u0000b')}`);
    expect([200, 400], `${res.status} ${await res.text()}`).toContain(res.status);
  });
});

describe('offset paging', () => {
  it('page/limit slices the order, total counts every match, a page past the end is empty', async () => {
    const order = expectedOrder(visible, '-created_at');
    const page2 = await me.list('?page=2&limit=4');
    expect(page2).toMatchObject({ page: 2, limit: 4, total: visible.length });
    expect(ids(page2)).toEqual(order.slice(4, 8));
    const walked: string[] = [];
    for (let page = 1; page <= Math.ceil(order.length / 5); page++) {
      walked.push(...ids(await me.list(`?page=${page}&limit=5`)));
    }
    expect(walked).toEqual(order);
    const past = await me.list('?page=99&limit=5');
    expect(past).toMatchObject({ items: [], total: visible.length, next_cursor: null });
  });

  it('refuses limit=101, limit=0 and page=0 (400)', async () => {
    for (const [query, field] of [
      ['limit=101', 'limit'],
      ['limit=0', 'limit'],
      ['page=0', 'page'],
      ['limit=abc', 'limit'],
    ]) {
      const problem = await expectProblem(
        await me.get(`/tasks?${query}`),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toEqual([field]);
    }
    expect((await me.list('?limit=100')).limit).toBe(100);
    expect((await me.list('?limit=1')).items).toHaveLength(1);
  });
});

describe('keyset paging', () => {
  async function walk(sort: string, limit: number, extra = '') {
    const seen: string[] = [];
    const totals = new Set<number | null>();
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const query = `?sort=${encodeURIComponent(sort)}&limit=${limit}${extra}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await me.list(query);
      seen.push(...ids(page));
      totals.add(page.total);
      cursor = page.next_cursor;
      if (cursor === null) return { seen, totals, pages: pages + 1 };
      expect(page.items).toHaveLength(limit);
    }
    throw new Error('the cursor never ended');
  }

  for (const sort of SORTS) {
    it(`sort=${sort}: walking next_cursor visits every task once, in order, and ends with null`, async () => {
      const { seen, totals } = await walk(sort, 3);
      expect(seen).toEqual(expectedOrder(visible, sort));
      expect(new Set(seen).size).toBe(seen.length);
      expect([...totals]).toEqual([visible.length]);
    });
  }

  it('keeps the filters while walking', async () => {
    const { seen } = await walk('due_date', 2, '&status=pending');
    expect(seen).toEqual(
      expectedOrder(
        visible.filter((x) => x.status === 'pending'),
        'due_date',
      ),
    );
  });

  it('ends with null when the last page is exactly full', async () => {
    const { seen, pages } = await walk('title', visible.length);
    expect(seen).toHaveLength(visible.length);
    expect(pages).toBe(1);
  });

  it('refuses a cursor issued for another sort (400 naming cursor)', async () => {
    const first = await me.list('?sort=title&limit=2');
    expect(first.next_cursor).not.toBeNull();
    const cursor = encodeURIComponent(first.next_cursor as string);
    for (const sort of ['-title', 'priority', '-created_at']) {
      const problem = await expectProblem(
        await me.get(`/tasks?sort=${encodeURIComponent(sort)}&cursor=${cursor}`),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toEqual(['cursor']);
    }
    // The default sort is -created_at: a title cursor without sort= is another sort too.
    await expectProblem(await me.get(`/tasks?cursor=${cursor}`), 400, 'validation_failed');
  });

  it('refuses garbage and tampered cursors (400), never 500', async () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const id = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';
    const cursors: Array<[string, string]> = [
      ['garbage', '-created_at'],
      ['!!!', '-created_at'],
      [forged({ s: 'title', v: 'x', i: 'not-a-uuid' }), 'title'],
      [forged({ s: 'title', v: 1, i: id }), 'title'],
      [forged({ s: 'created_at', v: 'not a date', i: id }), 'created_at'],
      [forged({ s: 'due_date', v: { $gt: 1 }, i: id }), 'due_date'],
      [forged({ s: 'created_at', v: '-271821-04-20T00:00:00.000Z', i: id }), 'created_at'],
      [forged({ s: 'title', v: 'nul\u0000byte', i: id }), 'title'],
      [forged({ s: 'priority', v: 'critical', i: id }), 'priority'],
      [forged({ s: 'title', v: "x' or 1=1 --", i: "0' or '1'='1" }), 'title'],
      [forged([1, 2, 3]), '-created_at'],
      [forged(null), '-created_at'],
      ['x'.repeat(501), '-created_at'],
    ];
    const answers: string[] = [];
    for (const [cursor, sort] of cursors) {
      const res = await me.get(`/tasks?sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
      answers.push(`${res.status} ← ${/^[\x20-\x7e]+$/.test(decoded) ? decoded : cursor}`);
    }
    expect(answers.filter((a) => !a.startsWith('400'))).toEqual([]);
  });

  it('refuses a cursor combined with page > 1 (400)', async () => {
    const first = await me.list('?limit=2');
    await expectProblem(
      await me.get(
        `/tasks?limit=2&page=2&cursor=${encodeURIComponent(first.next_cursor as string)}`,
      ),
      400,
      'validation_failed',
    );
  });

  it('gives a next_cursor on offset pages too, continuing where the page ended', async () => {
    const order = expectedOrder(visible, 'priority');
    const page1 = await me.list('?sort=priority&limit=4');
    const next = await me.list(
      `?sort=priority&limit=4&cursor=${encodeURIComponent(page1.next_cursor as string)}`,
    );
    expect(ids(next)).toEqual(order.slice(4, 8));
  });
});
