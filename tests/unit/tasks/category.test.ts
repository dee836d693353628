import { describe, expect, it } from 'vitest';
import {
  Category,
  CATEGORY_NAME_MAX,
  CATEGORY_NAME_MIN,
  categoryNameKey,
} from '../../../src/modules/tasks/domain/category.ts';
import { aCategory, NOW, OWNER } from '../../support/tasks/builders.ts';

const create = (name: string, color?: string | null) =>
  Category.create({ id: 'c1', userId: OWNER, name, color }, NOW);
const fieldsOf = (result: { _unsafeUnwrapErr(): { errors: Array<{ field: string }> } }) =>
  result._unsafeUnwrapErr().errors.map((error) => error.field);

describe('Category', () => {
  it('creates a category with a trimmed name and an optional colour', () => {
    expect(create('  Work ', '#1a2B3c')._unsafeUnwrap().toProps()).toEqual({
      id: 'c1',
      userId: OWNER,
      name: 'Work',
      color: '#1a2B3c',
      createdAt: NOW,
    });
    expect(create('Home')._unsafeUnwrap().color).toBeNull();
  });

  it('takes names of 3 to 50 characters', () => {
    expect(create('a'.repeat(CATEGORY_NAME_MIN)).isOk()).toBe(true);
    expect(create('a'.repeat(CATEGORY_NAME_MAX)).isOk()).toBe(true);
    expect(fieldsOf(create(' ab '))).toEqual(['name']);
    expect(fieldsOf(create('a'.repeat(CATEGORY_NAME_MAX + 1)))).toEqual(['name']);
    expect(fieldsOf(create('Tab\there'))).toEqual(['name']);
  });

  it('takes only #RRGGBB colours', () => {
    for (const color of ['red', '#fff', '#12345G', '123456', '#1234567']) {
      expect(fieldsOf(create('Work', color))).toEqual(['color']);
    }
  });

  it('renames and recolours, null clearing the colour, and refuses invalid values whole', () => {
    const category = aCategory({ name: 'Work', color: '#000000' });
    expect(category.update({ name: 'Office', color: 'blue' }).isErr()).toBe(true);
    expect(category.name).toBe('Work');

    expect(category.update({ color: null }).isOk()).toBe(true);
    expect(category.toProps()).toMatchObject({ name: 'Work', color: null });
  });

  it('compares names case-insensitively, ignoring surrounding space', () => {
    expect(categoryNameKey(' WORK ')).toBe(categoryNameKey('work'));
  });
});
