import { NO_CONTROL_CHARACTERS } from '../../../shared/domain/text.ts';
import type { FieldError } from './task.errors.ts';

export const TITLE_MIN = 3;
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 2000;

export const TASK_STATUSES = ['pending', 'in_progress', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** In ascending urgency: sorting by `priority` follows this order, not the alphabet. */
export const TASK_PRIORITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];

/** Lengths count code points, so an emoji is one character, as a user would count it. */
export function lengthOf(text: string): number {
  return [...text].length;
}

/** Rules for an already trimmed title. */
export function titleError(title: string): FieldError | undefined {
  const length = lengthOf(title);
  if (length < TITLE_MIN || length > TITLE_MAX) {
    return { field: 'title', message: `must be ${TITLE_MIN}–${TITLE_MAX} characters` };
  }
  if (!NO_CONTROL_CHARACTERS.test(title))
    return { field: 'title', message: 'must not contain control characters' };
  return undefined;
}

export function descriptionError(description: string | null): FieldError | undefined {
  if (description !== null && lengthOf(description) > DESCRIPTION_MAX) {
    return { field: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` };
  }
  return undefined;
}

export interface Schedule {
  dueDate: Date | null;
  remindAt: Date | null;
}

/**
 * The date rules, judged on the resulting schedule. "In the future" applies only to a date being
 * set or changed, so an overdue task can still be renamed; the reminder must come before the due
 * date whenever either moves. At most one error per field.
 */
export function scheduleErrors(
  next: Schedule,
  changed: { dueDate: boolean; remindAt: boolean },
  now: Date,
): FieldError[] {
  const errors: FieldError[] = [];
  const { dueDate, remindAt } = next;
  const due = changed.dueDate ? dateError(dueDate, now) : undefined;
  if (due) errors.push({ field: 'due_date', message: due });

  let remind = changed.remindAt ? dateError(remindAt, now) : undefined;
  if (!remind && remindAt && (changed.dueDate || changed.remindAt)) {
    if (!dueDate) remind = 'requires a due_date';
    else if (remindAt.getTime() >= dueDate.getTime()) remind = 'must be before due_date';
  }
  if (remind) errors.push({ field: 'remind_at', message: remind });
  return errors;
}

function dateError(date: Date | null, now: Date): string | undefined {
  if (date === null) return undefined;
  if (Number.isNaN(date.getTime())) return 'must be a valid date';
  if (date.getTime() <= now.getTime()) return 'must be in the future';
  return undefined;
}

/** Times the database can store and RFC 3339 can write with a four-digit year: years 1–9999 UTC. */
export function isStorableTime(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}
