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

  toProps(): ProjectProps {
    return { ...this.props };
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
