import { err, ok, type Result } from 'neverthrow';
import {
  mayChangeStatus,
  mayDelete,
  mayEdit,
  mayPlaceTasks,
  type TaskAccess,
} from './task-access.ts';
import {
  BLANK_DRAFT,
  changedFields,
  draftErrors,
  mergePatch,
  type NewTask,
  type TaskDraft,
  type TaskPatch,
  type TaskPatchField,
  type TaskProps,
} from './task-state.ts';
import type { TaskStatus } from './task-fields.ts';
import { validationFailed, type TaskErrorOf } from './task.errors.ts';

export type { NewTask, TaskPatch, TaskProps } from './task-state.ts';

/** Too low a role, or a project that is archived. */
type Refused = TaskErrorOf<'Forbidden' | 'ProjectArchived'>;
type ValidationFailed = TaskErrorOf<'ValidationFailed'>;

/** A task: guards its field rules, who may change what, and `completed_at`. */
export class Task {
  private props: TaskProps;

  private constructor(props: TaskProps) {
    this.props = props;
  }

  static create(input: NewTask, now: Date): Result<Task, ValidationFailed> {
    const draft = mergePatch(BLANK_DRAFT, input);
    const errors = draftErrors(
      draft,
      new Set(['title', 'description', 'dueDate', 'remindAt']),
      now,
    );
    if (errors.length > 0) return err(validationFailed(errors));
    return ok(
      new Task({
        ...draft,
        id: input.id,
        projectId: input.projectId,
        ownerId: input.ownerId,
        createdAt: now,
        updatedAt: now,
        completedAt: draft.status === 'completed' ? now : null,
        version: 1,
      }),
    );
  }

  static restore(props: TaskProps): Task {
    return new Task({ ...props, categoryIds: [...props.categoryIds] });
  }

  get id() {
    return this.props.id;
  }
  get projectId() {
    return this.props.projectId;
  }
  get ownerId() {
    return this.props.ownerId;
  }
  get assigneeId() {
    return this.props.assigneeId;
  }
  get title() {
    return this.props.title;
  }
  get description() {
    return this.props.description;
  }
  get status() {
    return this.props.status;
  }
  get priority() {
    return this.props.priority;
  }
  get dueDate() {
    return this.props.dueDate;
  }
  get remindAt() {
    return this.props.remindAt;
  }
  get categoryIds(): readonly string[] {
    return this.props.categoryIds;
  }
  get createdAt() {
    return this.props.createdAt;
  }
  get updatedAt() {
    return this.props.updatedAt;
  }
  get completedAt() {
    return this.props.completedAt;
  }
  get deletedAt() {
    return this.props.deletedAt;
  }
  get version() {
    return this.props.version;
  }

  /**
   * Applies the fields of `patch` that differ from the task and returns which did. Changing only
   * the status needs the right to change the status, anything more the right to edit; a field
   * sent with its current value is no change, so a client may send back what it read. In an
   * archived project even a change to nothing is refused: the client asked for a write.
   */
  update(
    patch: TaskPatch,
    access: TaskAccess,
    now: Date,
  ): Result<TaskPatchField[], Refused | ValidationFailed> {
    if (access.archived) return err({ type: 'ProjectArchived', projectId: access.projectId });
    const next = mergePatch(this.props, patch);
    const changed = changedFields(this.props, next);
    if (changed.length === 0) return ok([]);
    const allowed = changed.every((field) => field === 'status')
      ? mayChangeStatus(this.props, access)
      : mayEdit(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    const errors = draftErrors(next, new Set(changed), now);
    if (errors.length > 0) return err(validationFailed(errors));
    this.apply(next, now);
    return ok(changed);
  }

  /**
   * Moves the task to another project: `editor` or above in both. Whether its assignee may stay
   * assigned there is for the caller to check, as for any assignment.
   */
  moveTo(
    target: { projectId: string; access: Omit<TaskAccess, 'personal'> },
    access: TaskAccess,
    now: Date,
  ): Result<void, Refused> {
    if (target.projectId === this.props.projectId) return ok(undefined);
    const allowed = mayPlaceTasks(access, 'move_task').andThen(() =>
      mayPlaceTasks(target.access, 'move_task'),
    );
    if (allowed.isErr()) return err(allowed.error);
    this.apply({ ...this.props }, now, target.projectId);
    return ok(undefined);
  }

  changeStatus(status: TaskStatus, access: TaskAccess, now: Date): Result<void, Refused> {
    const allowed = mayChangeStatus(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    if (status !== this.props.status) this.apply({ ...this.props, status }, now);
    return ok(undefined);
  }

  /** Whether the assignee exists and may be assigned is for the caller to check first. */
  assign(assigneeId: string, access: TaskAccess, now: Date): Result<void, Refused> {
    return this.setAssignee(assigneeId, access, now);
  }

  unassign(access: TaskAccess, now: Date): Result<void, Refused> {
    return this.setAssignee(null, access, now);
  }

  addCategory(
    categoryId: string,
    access: TaskAccess,
    now: Date,
  ): Result<void, Refused | TaskErrorOf<'AlreadyAssigned'>> {
    const allowed = mayEdit(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    if (this.props.categoryIds.includes(categoryId)) {
      return err({ type: 'AlreadyAssigned', categoryId });
    }
    const categoryIds = [...this.props.categoryIds, categoryId];
    this.apply({ ...this.props, categoryIds }, now);
    return ok(undefined);
  }

  removeCategory(
    categoryId: string,
    access: TaskAccess,
    now: Date,
  ): Result<void, Refused | TaskErrorOf<'CategoryNotFound'>> {
    const allowed = mayEdit(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    if (!this.props.categoryIds.includes(categoryId)) {
      return err({ type: 'CategoryNotFound', categoryId });
    }
    const categoryIds = this.props.categoryIds.filter((id) => id !== categoryId);
    this.apply({ ...this.props, categoryIds }, now);
    return ok(undefined);
  }

  softDelete(access: TaskAccess, now: Date): Result<void, Refused> {
    const allowed = mayDelete(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    this.apply({ ...this.props, deletedAt: now }, now);
    return ok(undefined);
  }

  toProps(): TaskProps {
    return { ...this.props, categoryIds: [...this.props.categoryIds] };
  }

  private setAssignee(
    assigneeId: string | null,
    access: TaskAccess,
    now: Date,
  ): Result<void, Refused> {
    const allowed = mayEdit(this.props, access);
    if (allowed.isErr()) return err(allowed.error);
    if (assigneeId !== this.props.assigneeId) this.apply({ ...this.props, assigneeId }, now);
    return ok(undefined);
  }

  /** Every change goes through here: it keeps `completed_at` and bumps the version. */
  private apply(next: TaskDraft, now: Date, projectId = this.props.projectId): void {
    const wasCompleted = this.props.status === 'completed';
    const completes = next.status === 'completed';
    const completedAt = completes ? (wasCompleted ? this.props.completedAt : now) : null;
    this.props = {
      ...this.props,
      ...next,
      projectId,
      completedAt,
      updatedAt: now,
      version: this.props.version + 1,
    };
  }
}
