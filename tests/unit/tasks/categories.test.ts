import { beforeEach, describe, expect, it } from 'vitest';
import { CreateCategory } from '../../../src/modules/tasks/application/create-category.ts';
import { DeleteCategory } from '../../../src/modules/tasks/application/delete-category.ts';
import { ListCategories } from '../../../src/modules/tasks/application/list-categories.ts';
import { UpdateCategory } from '../../../src/modules/tasks/application/update-category.ts';
import { as, NOW, OWNER, STRANGER } from '../../support/tasks/builders.ts';
import { tasksTestbed, type TasksTestbed } from '../../support/tasks/tasks-testbed.ts';

describe('categories', () => {
  let bed: TasksTestbed;

  beforeEach(() => {
    bed = tasksTestbed();
  });

  describe('CreateCategory', () => {
    it('creates a category of the caller', async () => {
      const category = (
        await new CreateCategory(bed.ports).execute({
          actor: as(OWNER),
          name: ' Work ',
          color: '#FF8800',
        })
      )._unsafeUnwrap();

      expect(bed.categories.stored(category.id)).toEqual({
        id: category.id,
        userId: OWNER,
        name: 'Work',
        color: '#FF8800',
        createdAt: NOW,
      });
    });

    it('refuses a name the caller already has in any case, but not one another user has', async () => {
      bed.seedCategory({ name: 'Work' });
      bed.seedCategory({ name: 'Home', userId: STRANGER });
      const create = new CreateCategory(bed.ports);

      expect((await create.execute({ actor: as(OWNER), name: 'WORK' }))._unsafeUnwrapErr()).toEqual(
        {
          type: 'CategoryExists',
          name: 'WORK',
        },
      );
      expect((await create.execute({ actor: as(OWNER), name: 'home' })).isOk()).toBe(true);
    });

    it('refuses an invalid name or colour', async () => {
      const result = await new CreateCategory(bed.ports).execute({
        actor: as(OWNER),
        name: 'x',
        color: 'red',
      });
      expect(result._unsafeUnwrapErr()).toMatchObject({
        type: 'ValidationFailed',
        errors: [{ field: 'name' }, { field: 'color' }],
      });
    });
  });

  it("lists only the caller's categories, by name whatever the case", async () => {
    bed.seedCategory({ name: 'work' });
    bed.seedCategory({ name: 'Admin' });
    bed.seedCategory({ name: 'Theirs', userId: STRANGER });

    const { items } = (
      await new ListCategories(bed.ports).execute({ actor: as(OWNER) })
    )._unsafeUnwrap();
    expect(items.map((c) => c.name)).toEqual(['Admin', 'work']);
  });

  describe('UpdateCategory', () => {
    it('renames and recolours, null clearing the colour', async () => {
      const category = bed.seedCategory({ name: 'Work', color: '#000000' });
      const updated = (
        await new UpdateCategory(bed.ports).execute({
          actor: as(OWNER),
          categoryId: category.id,
          name: 'Office',
          color: null,
        })
      )._unsafeUnwrap();

      expect(updated.toProps()).toMatchObject({ name: 'Office', color: null });
      expect(bed.categories.stored(category.id)).toMatchObject({ name: 'Office', color: null });
    });

    it('lets a category change the case of its own name, but not take another one', async () => {
      const work = bed.seedCategory({ name: 'Work' });
      bed.seedCategory({ name: 'Home' });
      const update = new UpdateCategory(bed.ports);

      expect(
        (await update.execute({ actor: as(OWNER), categoryId: work.id, name: 'WORK' })).isOk(),
      ).toBe(true);
      expect(
        (
          await update.execute({ actor: as(OWNER), categoryId: work.id, name: 'home' })
        )._unsafeUnwrapErr(),
      ).toEqual({ type: 'CategoryExists', name: 'home' });
      expect(bed.categories.stored(work.id)?.name).toBe('WORK');
    });

    it("answers not found for another user's category", async () => {
      const theirs = bed.seedCategory({ userId: STRANGER });
      const result = await new UpdateCategory(bed.ports).execute({
        actor: as(OWNER),
        categoryId: theirs.id,
        name: 'Mine now',
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'CategoryNotFound',
        categoryId: theirs.id,
      });
    });

    it('refuses an invalid new name, keeping the old one', async () => {
      const work = bed.seedCategory({ name: 'Work' });
      const result = await new UpdateCategory(bed.ports).execute({
        actor: as(OWNER),
        categoryId: work.id,
        name: 'x'.repeat(51),
      });
      expect(result._unsafeUnwrapErr().type).toBe('ValidationFailed');
      expect(bed.categories.stored(work.id)?.name).toBe('Work');
    });
  });

  describe('DeleteCategory', () => {
    it('deletes the category and takes it off its tasks, whose version moves', async () => {
      const work = bed.seedCategory();
      const home = bed.seedCategory();
      const task = bed.seedTask({ categoryIds: [work.id, home.id], version: 2 });

      const result = await new DeleteCategory(bed.ports).execute({
        actor: as(OWNER),
        categoryId: work.id,
      });

      expect(result.isOk()).toBe(true);
      expect(bed.categories.stored(work.id)).toBeUndefined();
      expect(bed.tasks.stored(task.id)).toMatchObject({
        categoryIds: [home.id],
        version: 3,
        updatedAt: NOW,
      });
    });

    it("answers not found for another user's category and deletes nothing", async () => {
      const theirs = bed.seedCategory({ userId: STRANGER });
      const result = await new DeleteCategory(bed.ports).execute({
        actor: as(OWNER),
        categoryId: theirs.id,
      });
      expect(result._unsafeUnwrapErr()).toEqual({
        type: 'CategoryNotFound',
        categoryId: theirs.id,
      });
      expect(bed.categories.stored(theirs.id)).toBeDefined();
    });
  });
});
