import type {
  TaskListQuery,
  TaskRepository,
  TaskView,
  TaskWriteOutcome,
  VisibleTask,
} from '../../../src/modules/tasks/application/ports.ts';
import {
  canView,
  type TaskAccess,
  type TaskParties,
} from '../../../src/modules/tasks/domain/task-access.ts';
import { Category, categoryNameKey } from '../../../src/modules/tasks/domain/category.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import { queryTasks } from './in-memory-task-list.ts';
import type { InMemoryTasksDb } from './in-memory-tasks-db.ts';

/** Stores copies, so a use case that forgets to write is caught, as it would be with a database. */
export class InMemoryTaskRepository implements TaskRepository {
  private readonly db: InMemoryTasksDb;
  private beforeUpdate: { concurrent: () => void; times: number } | undefined;

  constructor(db: InMemoryTasksDb) {
    this.db = db;
  }

  async findVisible(taskId: string, userId: string): Promise<VisibleTask | undefined> {
    const row = this.db.tables.tasks.get(taskId);
    const access = row && this.accessOf(row, userId);
    if (!row || !access || !canView(row, access)) return undefined;
    return { ...this.viewOf(row), access };
  }

  async whoCanSee(taskId: string, userIds: readonly string[]): Promise<string[]> {
    const row = this.db.tables.tasks.get(taskId);
    if (!row) return [];
    return [...new Set(userIds)].filter((userId) => {
      const access = this.accessOf(row, userId);
      return access !== undefined && canView(row, access);
    });
  }

  async lockParties(taskId: string): Promise<TaskParties | undefined> {
    const row = this.db.tables.tasks.get(taskId);
    return (
      row && {
        projectId: row.projectId,
        ownerId: row.ownerId,
        assigneeId: row.assigneeId,
        deletedAt: row.deletedAt,
      }
    );
  }

  /** The user's standing in the task's live project, as the repository joins it. */
  private accessOf(row: TaskProps, userId: string): TaskAccess | undefined {
    const project = this.db.tables.projects.get(row.projectId);
    if (!project || project.deletedAt !== null) return undefined;
    return {
      projectId: row.projectId,
      userId,
      role: this.db.tables.members.get(row.projectId)?.get(userId),
      personal: project.inboxUserId !== null,
      archived: project.archivedAt !== null,
    };
  }

  async insert(task: Task): Promise<void> {
    if (this.db.tables.tasks.has(task.id)) throw new Error(`duplicate task ${task.id}`);
    this.db.tables.tasks.set(task.id, task.toProps());
  }

  async update(task: Task, expectedVersion: number): Promise<TaskWriteOutcome> {
    if (this.beforeUpdate && this.beforeUpdate.times > 0) {
      this.beforeUpdate.times -= 1;
      this.beforeUpdate.concurrent();
    }
    const row = this.db.tables.tasks.get(task.id);
    if (!row || row.deletedAt) return { type: 'gone' };
    if (row.version !== expectedVersion) return { type: 'conflict', currentVersion: row.version };
    this.db.tables.tasks.set(task.id, task.toProps());
    return { type: 'written' };
  }

  async list(query: TaskListQuery) {
    const { items, total, hasMore } = queryTasks(this.db.tables, query);
    return { items: items.map((row) => this.viewOf(row)), total, hasMore };
  }

  /** Seeds a task directly, bypassing the use cases. */
  add(task: Task): Task {
    this.db.tables.tasks.set(task.id, task.toProps());
    return task;
  }

  /** The stored state, soft-deleted or not, for assertions. */
  stored(taskId: string): TaskProps | undefined {
    const row = this.db.tables.tasks.get(taskId);
    return row && structuredClone(row);
  }

  /** Lets a concurrent writer act between the next `times` loads and their writes. */
  interleaveBeforeNextUpdate(concurrent: () => void, times = 1): void {
    this.beforeUpdate = { concurrent, times };
  }

  /** A concurrent write by someone else: same task, next version. */
  bumpVersion(taskId: string): void {
    const row = this.db.tables.tasks.get(taskId);
    if (row) row.version += 1;
  }

  private viewOf(row: TaskProps): TaskView {
    const { categories, comments, attachments } = this.db.tables;
    const shown = row.categoryIds
      .flatMap((id) => {
        const category = categories.get(id);
        return category ? [Category.restore(category)] : [];
      })
      .sort((a, b) => categoryNameKey(a.name).localeCompare(categoryNameKey(b.name)));
    return {
      // As the repository reads it: category ids in the categories' order (by name).
      task: Task.restore({ ...structuredClone(row), categoryIds: shown.map((c) => c.id) }),
      categories: shown,
      commentCount: [...comments.values()].filter((c) => c.taskId === row.id).length,
      attachmentCount: [...attachments.values()].filter((a) => a.taskId === row.id).length,
    };
  }
}
