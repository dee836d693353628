import { err, ok, type Result } from 'neverthrow';
import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';
import { lengthOf } from './task-fields.ts';
import { validationFailed, type FieldError, type TaskErrorOf } from './task.errors.ts';

export const CATEGORY_NAME_MIN = 3;
export const CATEGORY_NAME_MAX = 50;
export const CATEGORY_COLOR_PATTERN = /^#[0-9A-Fa-f]{6}$/;

export interface CategoryProps {
  id: string;
  userId: string;
  name: string;
  color: string | null;
  createdAt: Date;
}

/** Present fields are set; `color: null` clears the colour. */
export interface CategoryPatch {
  name?: string;
  color?: string | null;
}

type ValidationFailed = TaskErrorOf<'ValidationFailed'>;

/**
 * The key names are unique by, per user: `Work` and `work` are one category. The repository
 * enforces the uniqueness (a unique index on this key), since only it sees every category.
 */
export function categoryNameKey(name: string): string {
  return name.trim().toLowerCase();
}

/** A user's own label for tasks: a trimmed name of 3–50 characters and an optional `#RRGGBB`. */
export class Category {
  private props: CategoryProps;

  private constructor(props: CategoryProps) {
    this.props = props;
  }

  static create(
    input: { id: string; userId: string; name: string; color?: string | null },
    now: Date,
  ): Result<Category, ValidationFailed> {
    const draft = { name: input.name.trim(), color: input.color ?? null };
    const errors = fieldErrors(draft);
    if (errors.length > 0) return err(validationFailed(errors));
    return ok(new Category({ id: input.id, userId: input.userId, ...draft, createdAt: now }));
  }

  static restore(props: CategoryProps): Category {
    return new Category({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get userId() {
    return this.props.userId;
  }
  get name() {
    return this.props.name;
  }
  get color() {
    return this.props.color;
  }
  get createdAt() {
    return this.props.createdAt;
  }

  update(patch: CategoryPatch): Result<void, ValidationFailed> {
    const draft = {
      name: patch.name === undefined ? this.props.name : patch.name.trim(),
      color: patch.color === undefined ? this.props.color : patch.color,
    };
    const errors = fieldErrors(draft);
    if (errors.length > 0) return err(validationFailed(errors));
    this.props = { ...this.props, ...draft };
    return ok(undefined);
  }

  toProps(): CategoryProps {
    return { ...this.props };
  }
}

function fieldErrors(draft: { name: string; color: string | null }): FieldError[] {
  const errors: FieldError[] = [];
  const length = lengthOf(draft.name);
  if (length < CATEGORY_NAME_MIN || length > CATEGORY_NAME_MAX) {
    const message = `must be ${CATEGORY_NAME_MIN}–${CATEGORY_NAME_MAX} characters`;
    errors.push({ field: 'name', message });
  } else if (!NO_CONTROL_CHARACTERS.test(draft.name)) {
    errors.push({ field: 'name', message: 'must not contain control characters' });
  }
  if (draft.color !== null && !CATEGORY_COLOR_PATTERN.test(draft.color)) {
    errors.push({ field: 'color', message: 'must be a colour like #1A2B3C' });
  }
  return errors;
}
