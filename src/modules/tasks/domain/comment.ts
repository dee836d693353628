import { err, ok, type Result } from 'neverthrow';
import { mayEditComment, type TaskAccess } from './task-access.ts';
import { lengthOf } from './task-fields.ts';
import { validationFailed, type TaskErrorOf } from './task.errors.ts';

export const COMMENT_MIN = 1;
export const COMMENT_MAX = 5000;

export interface CommentProps {
  id: string;
  taskId: string;
  authorId: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

type ValidationFailed = TaskErrorOf<'ValidationFailed'>;

/** A remark on a task. The body is kept as written: indentation and line breaks can matter. */
export class Comment {
  private props: CommentProps;

  private constructor(props: CommentProps) {
    this.props = props;
  }

  static create(
    input: { id: string; taskId: string; authorId: string; body: string },
    now: Date,
  ): Result<Comment, ValidationFailed> {
    const invalid = bodyError(input.body);
    if (invalid) return err(invalid);
    return ok(new Comment({ ...input, createdAt: now, updatedAt: now }));
  }

  static restore(props: CommentProps): Comment {
    return new Comment({ ...props });
  }

  get id() {
    return this.props.id;
  }
  get taskId() {
    return this.props.taskId;
  }
  get authorId() {
    return this.props.authorId;
  }
  get body() {
    return this.props.body;
  }
  get createdAt() {
    return this.props.createdAt;
  }
  get updatedAt() {
    return this.props.updatedAt;
  }

  edit(
    body: string,
    access: TaskAccess,
    now: Date,
  ): Result<void, TaskErrorOf<'Forbidden' | 'ProjectArchived'> | ValidationFailed> {
    const allowed = mayEditComment(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    const invalid = bodyError(body);
    if (invalid) return err(invalid);
    if (body !== this.props.body) this.props = { ...this.props, body, updatedAt: now };
    return ok(undefined);
  }

  toProps(): CommentProps {
    return { ...this.props };
  }
}

/** 1–5000 characters, and not only whitespace: a blank comment says nothing. */
function bodyError(body: string): ValidationFailed | undefined {
  const length = lengthOf(body);
  if (body.trim() === '' || length < COMMENT_MIN || length > COMMENT_MAX) {
    const message = `must be ${COMMENT_MIN}–${COMMENT_MAX} characters, not only whitespace`;
    return validationFailed([{ field: 'body', message }]);
  }
  return undefined;
}
