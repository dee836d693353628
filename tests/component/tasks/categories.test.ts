import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  NO_SUCH_ID,
  TasksClient,
  uniqueName,
  type CategoryJson,
  type TaskJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;
let alice: TasksClient;
let bob: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [a, b] = await Promise.all([register(t), register(t)]);
  alice = new TasksClient(t, a);
  bob = new TasksClient(t, b);
});
afterAll(async () => {
  await t.close();
});

/** A fresh user per test where the whole category list is asserted. */
async function freshUser() {
  return new TasksClient(t, await register(t));
}

describe('POST /categories', () => {
  it('creates a category (201) with a trimmed name and a colour, listed afterwards', async () => {
    const name = uniqueName('Work');
    const res = await alice.post('/categories', { name: `  ${name}  `, color: '#1E90ff' });
    const created = await expectStatus<CategoryJson>(res, 201);
    expect(created).toMatchObject({ user_id: alice.id, name, color: '#1E90ff' });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await alice.categories()).toContainEqual(created);
    expect((await bob.categories()).map((c) => c.id)).not.toContain(created.id);
  });

  it('defaults color to null', async () => {
    const created = await alice.createCategory();
    expect(created.color).toBeNull();
  });

  it('answers 409 category_exists for a name the user already has, in any case', async () => {
    const name = uniqueName('Errands');
    await alice.createCategory(name);
    for (const again of [name, name.toUpperCase(), name.toLowerCase(), `  ${name}  `]) {
      await expectProblem(await alice.post('/categories', { name: again }), 409, 'category_exists');
    }
    expect(
      (await alice.categories()).filter((c) => c.name.toLowerCase() === name.toLowerCase()),
    ).toHaveLength(1);
    // Unique per user: another user may have the same name.
    expect((await bob.createCategory(name)).name).toBe(name);
  });

  it('answers 400 naming name or color for invalid ones', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{}, ['name']],
      [{ name: 'ab' }, ['name']],
      [{ name: '  ab  ' }, ['name']],
      [{ name: 'n'.repeat(51) }, ['name']],
      [{ name: 42 }, ['name']],
      [{ name: 'Valid name', color: 'red' }, ['color']],
      [{ name: 'Valid name', color: '#12345' }, ['color']],
      [{ name: 'Valid name', color: '#1234567' }, ['color']],
      [{ name: 'x', color: 'blue' }, ['name', 'color']],
    ];
    for (const [payload, fields] of cases) {
      const problem = await expectProblem(
        await alice.post('/categories', payload),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem).sort(), JSON.stringify(payload)).toEqual(fields.sort());
    }
  });
});

describe('GET /categories', () => {
  it('lists only the caller’s categories, ordered by name case-insensitively', async () => {
    const user = await freshUser();
    for (const name of ['beta', 'Alpha', 'gamma', 'Delta']) await user.createCategory(name);
    expect((await user.categories()).map((c) => c.name)).toEqual([
      'Alpha',
      'beta',
      'Delta',
      'gamma',
    ]);
    expect(await (await freshUser()).categories()).toEqual([]);
  });
});

describe('PATCH /categories/{category_id}', () => {
  it('renames and recolours (200), and null clears the colour', async () => {
    const cat = await alice.createCategory(uniqueName('Old'), '#000000');
    const name = uniqueName('New');
    const renamed = await expectStatus<CategoryJson>(
      await alice.patch(`/categories/${cat.id}`, { name, color: '#ABCDEF' }),
      200,
    );
    expect(renamed).toEqual({ ...cat, name, color: '#ABCDEF' });
    const cleared = await expectStatus<CategoryJson>(
      await alice.patch(`/categories/${cat.id}`, { color: null }),
      200,
    );
    expect(cleared).toEqual({ ...renamed, color: null });
    expect((await alice.categories()).find((c) => c.id === cat.id)).toEqual(cleared);
  });

  it('lets a category change the case of its own name, but not take another’s name (409)', async () => {
    const taken = uniqueName('Taken');
    await alice.createCategory(taken);
    const cat = await alice.createCategory(uniqueName('Mine'));
    await expectProblem(
      await alice.patch(`/categories/${cat.id}`, { name: taken.toUpperCase() }),
      409,
      'category_exists',
    );
    expect((await alice.categories()).find((c) => c.id === cat.id)).toEqual(cat);
    const recased = await expectStatus<CategoryJson>(
      await alice.patch(`/categories/${cat.id}`, { name: cat.name.toUpperCase() }),
      200,
    );
    expect(recased.name).toBe(cat.name.toUpperCase());
  });

  it('answers 400 for invalid fields and 404 for unknown or another user’s category', async () => {
    const cat = await alice.createCategory();
    const problem = await expectProblem(
      await alice.patch(`/categories/${cat.id}`, { name: 'x', color: 'nope' }),
      400,
      'validation_failed',
    );
    expect(fieldsOf(problem).sort()).toEqual(['color', 'name']);
    await expectProblem(await alice.patch(`/categories/${NO_SUCH_ID}`, { name: 'Whatever' }), 404);
    await expectProblem(await bob.patch(`/categories/${cat.id}`, { name: 'Stolen' }), 404);
    await expectProblem(await alice.patch('/categories/not-a-uuid', { name: 'Whatever' }), 400);
    expect((await alice.categories()).find((c) => c.id === cat.id)).toEqual(cat);
  });
});

describe('DELETE /categories/{category_id}', () => {
  it('deletes (204) and removes the category from its tasks, which read back without it', async () => {
    const [doomed, kept] = [await alice.createCategory(), await alice.createCategory()];
    const task = await alice.createTask({ category_ids: [doomed.id, kept.id] });
    const other = await alice.createTask({ category_ids: [kept.id] });
    expect((await alice.del(`/categories/${doomed.id}`)).status).toBe(204);

    const read = await alice.task(task.id);
    expect(read.categories).toEqual([kept]);
    // What the task shows changed: its version moves, so a stale PATCH cannot resurrect anything.
    expect(read.version).toBeGreaterThan(task.version);
    expect(await alice.task(other.id)).toEqual(other);
    expect((await alice.categories()).map((c) => c.id)).not.toContain(doomed.id);
    expect((await alice.list(`?category_id=${doomed.id}`)).total).toBe(0);
    await expectProblem(await alice.del(`/categories/${doomed.id}`), 404);
    await expectProblem(await alice.post(`/tasks/${task.id}/categories/${doomed.id}`), 404);
    await expectProblem(
      await alice.patch(`/tasks/${task.id}`, { category_ids: [doomed.id], version: read.version }),
      404,
    );
    await expectProblem(
      await alice.post('/tasks', { title: 'Uses it', category_ids: [doomed.id] }),
      404,
    );
  });

  it('answers 404 for another user’s category and leaves it in place', async () => {
    const cat = await alice.createCategory();
    const task = await alice.createTask({ category_ids: [cat.id] });
    await expectProblem(await bob.del(`/categories/${cat.id}`), 404);
    await expectProblem(await alice.del(`/categories/${NO_SUCH_ID}`), 404);
    expect((await alice.categories()).map((c) => c.id)).toContain(cat.id);
    expect((await alice.task(task.id)).categories).toEqual([cat]);
  });

  it('frees the name for a new category', async () => {
    const name = uniqueName('Recycled');
    const cat = await alice.createCategory(name);
    expect((await alice.del(`/categories/${cat.id}`)).status).toBe(204);
    const again = await alice.createCategory(name.toLowerCase());
    expect(again.id).not.toBe(cat.id);
  });

  it('shows renamed categories on the tasks that carry them', async () => {
    const cat = await alice.createCategory();
    const task = await alice.createTask({ category_ids: [cat.id] });
    const name = uniqueName('Renamed');
    await expectStatus(await alice.patch(`/categories/${cat.id}`, { name }), 200);
    const read = await expectStatus<TaskJson>(await alice.get(`/tasks/${task.id}`), 200);
    expect(read.categories.map((c) => c.name)).toEqual([name]);
  });
});
