import {
  descriptionError,
  scheduleErrors,
  titleError,
  type TaskPriority,
  type TaskStatus,
} from './task-fields.ts';
import type { FieldError } from './task.errors.ts';

export interface TaskProps {
  id: string;
  /** The project the task belongs to; its members see it (the owner's Inbox by default). */
  projectId: string;
  /** Who created the task. */
  ownerId: string;
  assigneeId: string | null;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  dueDate: Date | null;
  remindAt: Date | null;
  categoryIds: string[];
  createdAt: Date;
  updatedAt: Date;
  completedAt: Date | null;
  deletedAt: Date | null;
  /** Bumped by every change; the repository writes only over the version the change started from. */
  version: number;
}

/** What a create or a patch may set: an absent field is left alone, `null` clears a nullable one. */
export interface TaskPatch {
  title?: string;
  description?: string | null;
  status?: TaskStatus;
  priority?: TaskPriority;
  dueDate?: Date | null;
  remindAt?: Date | null;
  categoryIds?: string[];
  assigneeId?: string | null;
}

export type TaskPatchField = keyof TaskPatch;

export interface NewTask extends TaskPatch {
  id: string;
  projectId: string;
  ownerId: string;
  title: string;
}

/** The part of a task that changes go through; the rest is identity and bookkeeping. */
export type TaskDraft = Pick<
  TaskProps,
  | 'assigneeId'
  | 'title'
  | 'description'
  | 'status'
  | 'priority'
  | 'dueDate'
  | 'remindAt'
  | 'categoryIds'
  | 'deletedAt'
>;

export const BLANK_DRAFT: TaskDraft = {
  assigneeId: null,
  title: '',
  description: null,
  status: 'pending',
  priority: 'medium',
  dueDate: null,
  remindAt: null,
  categoryIds: [],
  deletedAt: null,
};

/** `current` with the patch's present fields applied: titles trimmed, category ids deduplicated. */
export function mergePatch(current: TaskDraft, patch: TaskPatch): TaskDraft {
  const pick = <K extends keyof TaskPatch & keyof TaskDraft>(key: K) =>
    (patch[key] === undefined ? current[key] : patch[key]) as TaskDraft[K];
  return {
    assigneeId: pick('assigneeId'),
    title: patch.title === undefined ? current.title : patch.title.trim(),
    description: pick('description'),
    status: pick('status'),
    priority: pick('priority'),
    dueDate: pick('dueDate'),
    remindAt: pick('remindAt'),
    categoryIds: patch.categoryIds ? [...new Set(patch.categoryIds)] : current.categoryIds,
    deletedAt: current.deletedAt,
  };
}

export function changedFields(current: TaskDraft, next: TaskDraft): TaskPatchField[] {
  const sameDate = (a: Date | null, b: Date | null) => a?.getTime() === b?.getTime();
  const sameSet = (a: string[], b: string[]) =>
    a.length === b.length && a.every((id) => b.includes(id));
  const differs: Record<TaskPatchField, boolean> = {
    title: current.title !== next.title,
    description: current.description !== next.description,
    status: current.status !== next.status,
    priority: current.priority !== next.priority,
    dueDate: !sameDate(current.dueDate, next.dueDate),
    remindAt: !sameDate(current.remindAt, next.remindAt),
    categoryIds: !sameSet(current.categoryIds, next.categoryIds),
    assigneeId: current.assigneeId !== next.assigneeId,
  };
  return (Object.keys(differs) as TaskPatchField[]).filter((field) => differs[field]);
}

/** The field rules for the fields being set; fields left alone are not judged again. */
export function draftErrors(
  next: TaskDraft,
  fields: ReadonlySet<TaskPatchField>,
  now: Date,
): FieldError[] {
  const changed = { dueDate: fields.has('dueDate'), remindAt: fields.has('remindAt') };
  return [
    fields.has('title') ? titleError(next.title) : undefined,
    fields.has('description') ? descriptionError(next.description) : undefined,
    ...scheduleErrors(next, changed, now),
  ].filter((error) => error !== undefined);
}
