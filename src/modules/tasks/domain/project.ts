import { err, ok, type Result } from 'neverthrow';
import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';
import { CATEGORY_COLOR_PATTERN } from './category.ts';
import { lengthOf } from './task-fields.ts';
import { validationFailed, type FieldError, type TaskErrorOf } from './task.errors.ts';

export const PROJECT_NAME_MIN = 1;
export const PROJECT_NAME_MAX = 100;
export const PROJECT_DESCRIPTION_MAX = 2000;
export const PROJECT_COLOR_PATTERN = CATEGORY_COLOR_PATTERN;
/** The name of every user's personal project. */
export const INBOX_NAME = 'Inbox';

export interface ProjectProps {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  /** Set on a user's Inbox alone: that user's personal project, never shared. */
  inboxUserId: string | null;
  archivedAt: Date | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** Present fields are set; `null` clears a nullable one. */
export interface ProjectPatch {
  name?: string;
  description?: string | null;
  color?: string | null;
}

type ValidationFailed = TaskErrorOf<'ValidationFailed'>;
type PersonalProject = TaskErrorOf<'PersonalProject'>;
type ProjectArchived = TaskErrorOf<'ProjectArchived'>;

/** A list of tasks that its members see and change according to their role. */
export class Project {
  private props: ProjectProps;

  private constructor(props: ProjectProps) {
    this.props = props;
  }

  static create(
    input: { id: string; name: string; description?: string | null; color?: string | null },
    now: Date,
  ): Result<Project, ValidationFailed> {
    const draft = {
      name: input.name.trim(),
      description: input.description ?? null,
      color: input.color ?? null,
    };
    const errors = fieldErrors(draft);
    if (errors.length > 0) return err(validationFailed(errors));
    return ok(
      new Project({
        id: input.id,
        ...draft,
        inboxUserId: null,
        archivedAt: null,
        deletedAt: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      }),
    );
  }

  /** The personal project every user has from registration on. */
  static inbox(input: { id: string; userId: string }, now: Date): Project {
    return new Project({
      id: input.id,
      name: INBOX_NAME,
      description: null,
      color: null,
      inboxUserId: input.userId,
      archivedAt: null,
      deletedAt: null,
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
  }

  static restore(props: ProjectProps): Project {
    return new Project({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get name() {
    return this.props.name;
  }
  get description() {
    return this.props.description;
  }
  get color() {
    return this.props.color;
  }
  get isInbox() {
    return this.props.inboxUserId !== null;
  }
  get inboxUserId() {
    return this.props.inboxUserId;
  }
  get archivedAt() {
    return this.props.archivedAt;
  }
  get deletedAt() {
    return this.props.deletedAt;
  }
  get createdAt() {
    return this.props.createdAt;
  }
  get updatedAt() {
    return this.props.updatedAt;
  }
  get version() {
    return this.props.version;
  }

  /** The Inbox is its owner's alone: no members, no archive, no transfer, no deletion. */
  guardShareable(): Result<void, PersonalProject> {
    return this.isInbox ? err({ type: 'PersonalProject', projectId: this.id }) : ok(undefined);
  }

  /** An archived project is read-only for everyone until it is unarchived. */
  guardWritable(): Result<void, ProjectArchived> {
    return this.props.archivedAt === null
      ? ok(undefined)
      : err({ type: 'ProjectArchived', projectId: this.id });
  }

  /**
   * Applies the present fields of `patch`; `false` when none of them changes anything, and then
   * the version stays.
   */
  rename(
    patch: ProjectPatch,
    now: Date,
  ): Result<boolean, ValidationFailed | PersonalProject | ProjectArchived> {
    const guarded = this.guardShareable().andThen(() => this.guardWritable());
    if (guarded.isErr()) return err(guarded.error);
    const draft = {
      name: patch.name === undefined ? this.props.name : patch.name.trim(),
      description: patch.description === undefined ? this.props.description : patch.description,
      color: patch.color === undefined ? this.props.color : patch.color,
    };
    const errors = fieldErrors(draft);
    if (errors.length > 0) return err(validationFailed(errors));
    const changed =
      draft.name !== this.props.name ||
      draft.description !== this.props.description ||
      draft.color !== this.props.color;
    if (changed) this.apply(draft, now);
    return ok(changed);
  }

  /** Archiving an archived project changes nothing (and keeps its first archive time). */
  archive(now: Date): Result<boolean, PersonalProject> {
    const guarded = this.guardShareable();
    if (guarded.isErr()) return err(guarded.error);
    if (this.props.archivedAt !== null) return ok(false);
    this.apply({ archivedAt: now }, now);
    return ok(true);
  }

  unarchive(now: Date): Result<boolean, PersonalProject> {
    const guarded = this.guardShareable();
    if (guarded.isErr()) return err(guarded.error);
    if (this.props.archivedAt === null) return ok(false);
    this.apply({ archivedAt: null }, now);
    return ok(true);
  }

  /** Soft delete; archived projects may be deleted too (archive first is a common way out). */
  softDelete(now: Date): Result<void, PersonalProject> {
    const guarded = this.guardShareable();
    if (guarded.isErr()) return err(guarded.error);
    this.apply({ deletedAt: now }, now);
    return ok(undefined);
  }

  toProps(): ProjectProps {
    return { ...this.props };
  }

  private apply(change: Partial<ProjectProps>, now: Date): void {
    this.props = { ...this.props, ...change, updatedAt: now, version: this.props.version + 1 };
  }
}

function fieldErrors(draft: {
  name: string;
  description: string | null;
  color: string | null;
}): FieldError[] {
  const errors: FieldError[] = [];
  const nameLength = lengthOf(draft.name);
  if (nameLength < PROJECT_NAME_MIN || nameLength > PROJECT_NAME_MAX) {
    errors.push({
      field: 'name',
      message: `must be ${PROJECT_NAME_MIN}–${PROJECT_NAME_MAX} characters after trimming`,
    });
  } else if (!NO_CONTROL_CHARACTERS.test(draft.name)) {
    errors.push({ field: 'name', message: 'must not contain control characters' });
  }
  if (draft.description !== null && lengthOf(draft.description) > PROJECT_DESCRIPTION_MAX) {
    errors.push({
      field: 'description',
      message: `must be at most ${PROJECT_DESCRIPTION_MAX} characters`,
    });
  }
  if (draft.color !== null && !PROJECT_COLOR_PATTERN.test(draft.color)) {
    errors.push({ field: 'color', message: 'must be a colour in the form #RRGGBB' });
  }
  return errors;
}
