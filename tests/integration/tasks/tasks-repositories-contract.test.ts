import { RequestContext } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import { MikroOrmAttachmentRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-attachment-repository.ts';
import { MikroOrmCategoryRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-category-repository.ts';
import { MikroOrmCommentRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-comment-repository.ts';
import { MikroOrmOutbox } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-outbox.ts';
import { MikroOrmTaskRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-task-repository.ts';
import type {
  AttachmentRepository,
  CategoryRepository,
  CommentRepository,
  Outbox,
  TaskRepository,
} from '../../../src/modules/tasks/application/ports.ts';
import type { Attachment } from '../../../src/modules/tasks/domain/attachment.ts';
import { Category } from '../../../src/modules/tasks/domain/category.ts';
import { Comment } from '../../../src/modules/tasks/domain/comment.ts';
import type { TaskEvent } from '../../../src/modules/tasks/domain/task-events.ts';
import { Task, type TaskProps } from '../../../src/modules/tasks/domain/task.ts';
import type { TransactionRunner } from '../../../src/shared/domain/transaction-runner.ts';
import { MikroOrmTransactionRunner } from '../../../src/shared/infra/mikro-orm-transaction-runner.ts';
import { inMemoryUsers, storedUsers } from '../../support/tasks/contract-users.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import { InMemoryAttachmentRepository } from '../../support/tasks/in-memory-attachment-repository.ts';
import { InMemoryCategoryRepository } from '../../support/tasks/in-memory-category-repository.ts';
import { InMemoryCommentRepository } from '../../support/tasks/in-memory-comment-repository.ts';
import { InMemoryOutbox } from '../../support/tasks/in-memory-outbox.ts';
import { InMemoryTaskRepository } from '../../support/tasks/in-memory-task-repository.ts';
import { InMemoryTasksDb } from '../../support/tasks/in-memory-tasks-db.ts';
import { InMemoryTransactions } from '../../support/tasks/in-memory-transactions.ts';

/**
 * The contract of the tasks module's other repositories (categories, comments, attachments) and
 * of its outbox writer, run against the in-memory fakes the use-case tests rely on and against
 * PostgreSQL, so the fakes cannot drift from the SQL.
 */

interface World {
  tasks: TaskRepository;
  categories: CategoryRepository;
  comments: CommentRepository;
  attachments: AttachmentRepository;
  outbox: Outbox;
  transactions: TransactionRunner;
  /** Takes out the events committed for `taskIds`, oldest first (then in the order appended). */
  committedEvents(taskIds: readonly string[]): Promise<TaskEvent[]>;
  /** Three users the world knows (rows exist where the database needs them). */
  users(): Promise<[string, string, string]>;
  /** Runs a case where the real repositories work: inside a request context. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

let orm: Orm;

beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 4 });
});

afterAll(async () => {
  await orm.close();
});

const inMemory = (): World => {
  const db = new InMemoryTasksDb();
  const outbox = new InMemoryOutbox(db);
  return {
    tasks: new InMemoryTaskRepository(db),
    categories: new InMemoryCategoryRepository(db),
    comments: new InMemoryCommentRepository(db),
    attachments: new InMemoryAttachmentRepository(db),
    outbox,
    transactions: new InMemoryTransactions(db),
    committedEvents: (taskIds) =>
      Promise.resolve(structuredClone(outbox.events.filter((e) => taskIds.includes(e.taskId)))),
    users: () => inMemoryUsers(db),
    run: (work) => work(),
  };
};

const postgres = (): World => {
  const em = orm.em;
  return {
    tasks: new MikroOrmTaskRepository(em),
    categories: new MikroOrmCategoryRepository(em),
    comments: new MikroOrmCommentRepository(em),
    attachments: new MikroOrmAttachmentRepository(em),
    outbox: new MikroOrmOutbox(em, new UuidV7Ids()),
    transactions: new MikroOrmTransactionRunner(em),
    committedEvents: async (taskIds) => {
      const rows = await orm.em.getConnection().execute<
        Array<{
          type: TaskEvent['type'];
          task_id: string;
          project_id: string;
          actor_id: string;
          occurred_at: Date;
          recipients: string[];
          payload: TaskEvent['payload'];
        }>
      >(
        // Taken out as read: the outbox is global, and a relay must not find these rows later.
        `with taken as (delete from outbox_events where task_id = any(?::uuid[]) returning *)
         select type, task_id, project_id, actor_id, occurred_at, recipients, payload from taken
          order by occurred_at, id`,
        [`{${taskIds.join(',')}}`],
      );
      return rows.map(
        (row) =>
          ({
            type: row.type,
            taskId: row.task_id,
            projectId: row.project_id,
            actorId: row.actor_id,
            occurredAt: new Date(row.occurred_at),
            recipients: row.recipients,
            payload: row.payload,
          }) as TaskEvent,
      );
    },
    users: () => storedUsers(orm),
    run: (work) => RequestContext.create(orm.em, work),
  };
};

const T0 = new Date('2030-03-01T10:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function task(ownerId: string, overrides: Partial<TaskProps> = {}): Task {
  return Task.restore({
    id: randomUUID(),
    projectId: ownerId,
    ownerId,
    assigneeId: null,
    title: 'A task',
    description: null,
    status: 'pending',
    priority: 'medium',
    dueDate: null,
    remindAt: null,
    categoryIds: [],
    createdAt: T0,
    updatedAt: T0,
    completedAt: null,
    deletedAt: null,
    version: 1,
    ...overrides,
  });
}

const category = (userId: string, name: string, color: string | null = null) =>
  Category.restore({ id: randomUUID(), userId, name, color, createdAt: T0 });

const comment = (taskId: string, authorId: string, createdAt = T0, body = 'A remark') =>
  Comment.restore({ id: randomUUID(), taskId, authorId, body, createdAt, updatedAt: createdAt });

function attachment(taskId: string, uploadedBy: string, overrides: Partial<Attachment> = {}) {
  const id = randomUUID();
  return {
    id,
    taskId,
    filename: 'notes.txt',
    contentType: 'text/plain',
    sizeBytes: 100,
    sha256: 'a'.repeat(64),
    storageKey: `attachments/${id}`,
    uploadedBy,
    createdAt: T0,
    ...overrides,
  } satisfies Attachment;
}

/** `count` ids sorted as PostgreSQL sorts uuids (byte order, the same as lowercase hex). */
const sortedIds = (count: number) =>
  Array.from({ length: count }, () => randomUUID()).sort((a, b) => (a < b ? -1 : 1));

describe.each([
  ['in-memory', inMemory],
  ['postgres', postgres],
] as const)('tasks repositories contract (%s)', (_name, makeWorld) => {
  let world: World;
  let owner: string;
  let assignee: string;
  let stranger: string;

  beforeAll(async () => {
    world = makeWorld();
    [owner, assignee, stranger] = await world.users();
  });

  const stored = async (t: Task) => {
    await world.tasks.insert(t);
    return t;
  };

  describe('categories', () => {
    it('finds a category for its owner only; findOwnedMany leaves out unknown and others', () =>
      world.run(async () => {
        const mine = category(owner, 'Errands', '#00ff00');
        const theirs = category(stranger, 'Errands');
        expect(await world.categories.insert(mine)).toBe(true);
        expect(await world.categories.insert(theirs)).toBe(true);
        expect((await world.categories.findOwned(owner, mine.id))?.toProps()).toEqual(
          mine.toProps(),
        );
        expect(await world.categories.findOwned(stranger, mine.id)).toBeUndefined();
        expect(await world.categories.findOwned(owner, randomUUID())).toBeUndefined();
        const many = await world.categories.findOwnedMany(owner, [
          mine.id,
          theirs.id,
          randomUUID(),
        ]);
        expect(many.map((c) => c.toProps())).toEqual([mine.toProps()]);
        expect(await world.categories.findOwnedMany(owner, [])).toEqual([]);
      }));

    it('lists a user’s categories by name, case-insensitively', () =>
      world.run(async () => {
        const [lister] = await world.users();
        for (const name of ['banana', 'Cherry', 'apple', '10 things', 'Date palm', 'date'])
          await world.categories.insert(category(lister, name));
        await world.categories.insert(category(stranger, 'aardvark'));
        const names = (await world.categories.listOwned(lister)).map((c) => c.name);
        expect(names).toEqual(['10 things', 'apple', 'banana', 'Cherry', 'date', 'Date palm']);
      }));

    it('refuses a name the user already has, whatever its case, on insert and on rename', () =>
      world.run(async () => {
        const [user] = await world.users();
        const work = category(user, 'Work');
        const home = category(user, 'Home');
        expect(await world.categories.insert(work)).toBe(true);
        expect(await world.categories.insert(home)).toBe(true);
        expect(await world.categories.insert(category(user, ' work '))).toBe(false);
        expect(await world.categories.insert(category(stranger, 'Work'))).toBe(true);

        const clash = Category.restore({ ...home.toProps(), name: 'WORK' });
        expect(await world.categories.update(clash)).toBe(false);
        expect((await world.categories.findOwned(user, home.id))?.name).toBe('Home');

        const recased = Category.restore({ ...work.toProps(), name: 'WORK', color: '#123456' });
        expect(await world.categories.update(recased)).toBe(true);
        expect((await world.categories.findOwned(user, work.id))?.toProps()).toEqual(
          recased.toProps(),
        );
        expect((await world.categories.listOwned(user)).map((c) => c.name)).toEqual([
          'Home',
          'WORK',
        ]);
      }));

    it('refuses a duplicate name inside a transaction without spoiling it', () =>
      world.run(async () => {
        const [user] = await world.users();
        const first = category(user, 'Garden');
        const after = category(user, 'Kitchen');
        await world.transactions.run(async () => {
          expect(await world.categories.insert(first)).toBe(true);
          expect(await world.categories.insert(category(user, 'garden'))).toBe(false);
          expect(await world.categories.insert(after)).toBe(true);
        });
        expect((await world.categories.listOwned(user)).map((c) => c.id)).toEqual([
          first.id,
          after.id,
        ]);
      }));

    it('deletes a category, detaching it from its tasks and moving their version and updated_at', () =>
      world.run(async () => {
        const doomed = category(owner, 'Doomed');
        const kept = category(owner, 'Kept');
        await world.categories.insert(doomed);
        await world.categories.insert(kept);
        const tagged = await stored(
          task(owner, { assigneeId: assignee, categoryIds: [doomed.id, kept.id], version: 3 }),
        );
        const untouched = await stored(task(owner, { categoryIds: [kept.id] }));

        await world.categories.delete(doomed.id, at(30));

        expect(await world.categories.findOwned(owner, doomed.id)).toBeUndefined();
        const after = (await world.tasks.findVisible(tagged.id, owner))!.task.toProps();
        expect(after).toEqual({
          ...tagged.toProps(),
          categoryIds: [kept.id],
          version: 4,
          updatedAt: at(30),
        });
        expect((await world.tasks.findVisible(untouched.id, owner))!.task.toProps()).toEqual(
          untouched.toProps(),
        );
      }));
  });

  describe('comments', () => {
    it('finds a comment only through its own task; edits write body and updated_at', () =>
      world.run(async () => {
        const t = await stored(task(owner, { assigneeId: assignee }));
        const other = await stored(task(owner));
        const c = comment(t.id, assignee);
        await world.transactions.run(() => world.comments.insert(c));
        expect((await world.comments.findInTask(t.id, c.id))?.toProps()).toEqual(c.toProps());
        expect(await world.comments.findInTask(other.id, c.id)).toBeUndefined();
        expect(await world.comments.findInTask(t.id, randomUUID())).toBeUndefined();

        const edited = (await world.comments.findInTask(t.id, c.id))!;
        expect(
          edited
            .edit(
              '  Indented\nsecond line',
              {
                projectId: t.projectId,
                userId: assignee,
                role: undefined,
                personal: true,
                archived: false,
              },
              at(5),
            )
            .isOk(),
        ).toBe(true);
        await world.transactions.run(() => world.comments.update(edited));
        expect((await world.comments.findInTask(t.id, c.id))?.toProps()).toEqual({
          ...c.toProps(),
          body: '  Indented\nsecond line',
          updatedAt: at(5),
        });
        expect((await world.tasks.findVisible(t.id, owner))?.commentCount).toBe(1);

        await world.transactions.run(() => world.comments.delete(c.id));
        expect(await world.comments.findInTask(t.id, c.id)).toBeUndefined();
        expect((await world.tasks.findVisible(t.id, owner))?.commentCount).toBe(0);
        expect(await world.comments.listForTask(t.id, { offset: 0, limit: 10 })).toEqual({
          items: [],
          total: 0,
        });
      }));

    it('lists a task’s comments oldest first, then by id, in windows with the total', () =>
      world.run(async () => {
        const t = await stored(task(owner));
        const other = await stored(task(owner));
        const [a, b, c] = sortedIds(3);
        const made = [
          Comment.restore({ ...comment(t.id, owner, at(2)).toProps(), id: a! }),
          Comment.restore({ ...comment(t.id, owner, at(1)).toProps(), id: c! }),
          Comment.restore({ ...comment(t.id, owner, at(1)).toProps(), id: b! }),
          comment(t.id, owner, at(0)),
        ];
        for (const m of made) await world.transactions.run(() => world.comments.insert(m));
        await world.transactions.run(() => world.comments.insert(comment(other.id, owner, at(0))));
        const order = [made[3]!.id, b, c, a];

        const all = await world.comments.listForTask(t.id, { offset: 0, limit: 10 });
        expect(all.items.map((x) => x.id)).toEqual(order);
        expect(all.total).toBe(4);
        const page = await world.comments.listForTask(t.id, { offset: 1, limit: 2 });
        expect(page.items.map((x) => x.id)).toEqual(order.slice(1, 3));
        expect(page.total).toBe(4);
        expect(await world.comments.listForTask(t.id, { offset: 4, limit: 2 })).toEqual({
          items: [],
          total: 4,
        });
      }));
  });

  describe('attachments', () => {
    it('sums the bytes each uploader stored, deleted tasks’ included, and locks the same sum', () =>
      world.run(async () => {
        const [uploader, colleague] = await world.users();
        expect(await world.attachments.usageOf(uploader)).toBe(0);
        const mine = await stored(task(uploader, { assigneeId: colleague }));
        const theirs = await stored(task(colleague, { assigneeId: uploader }));
        // Bigger than 32 bits in all, so the sum must keep every digit.
        await world.transactions.run(() =>
          world.attachments.insert(attachment(mine.id, uploader, { sizeBytes: 3_000_000_000 })),
        );
        await world.transactions.run(() =>
          world.attachments.insert(attachment(theirs.id, uploader, { sizeBytes: 2_500_000_001 })),
        );
        await world.transactions.run(() =>
          world.attachments.insert(attachment(mine.id, colleague, { sizeBytes: 7 })),
        );
        await world.transactions.run(() =>
          world.attachments.insert(attachment(mine.id, uploader, { sizeBytes: 0 })),
        );
        expect(await world.attachments.usageOf(uploader)).toBe(5_500_000_001);
        expect(await world.attachments.usageOf(colleague)).toBe(7);

        const deleted = Task.restore({ ...mine.toProps(), deletedAt: at(1), version: 2 });
        expect(await world.tasks.update(deleted, 1)).toEqual({ type: 'written' });
        expect(await world.attachments.usageOf(uploader)).toBe(5_500_000_001);
        expect(await world.transactions.run(() => world.attachments.lockUsage(uploader))).toBe(
          5_500_000_001,
        );
        expect(await world.transactions.run(() => world.attachments.lockUsage(stranger))).toBe(0);
      }));

    it('finds an attachment only through its own task; a delete frees its bytes', () =>
      world.run(async () => {
        const t = await stored(task(owner));
        const other = await stored(task(owner));
        const [user] = await world.users();
        const a = attachment(t.id, user, {
          sizeBytes: 1234,
          filename: 'Résumé (final).pdf',
          contentType: 'application/pdf',
        });
        await world.transactions.run(() => world.attachments.insert(a));
        expect(await world.attachments.findInTask(t.id, a.id)).toEqual(a);
        expect(await world.attachments.findInTask(other.id, a.id)).toBeUndefined();
        expect((await world.tasks.findVisible(t.id, owner))?.attachmentCount).toBe(1);
        await world.transactions.run(() => world.attachments.delete(a.id));
        expect(await world.attachments.findInTask(t.id, a.id)).toBeUndefined();
        expect(await world.attachments.usageOf(user)).toBe(0);
        expect((await world.tasks.findVisible(t.id, owner))?.attachmentCount).toBe(0);
      }));

    it('lists a task’s attachments oldest first, then by id', () =>
      world.run(async () => {
        const t = await stored(task(owner));
        const other = await stored(task(owner));
        const [a, b] = sortedIds(2);
        const latest = attachment(t.id, owner, { createdAt: at(3) });
        const tieB = attachment(t.id, owner, { id: b!, storageKey: `k/${b}`, createdAt: at(1) });
        const tieA = attachment(t.id, owner, { id: a!, storageKey: `k/${a}`, createdAt: at(1) });
        const first = attachment(t.id, owner, { createdAt: at(0) });
        for (const x of [latest, tieB, tieA, first])
          await world.transactions.run(() => world.attachments.insert(x));
        await world.transactions.run(() => world.attachments.insert(attachment(other.id, owner)));
        expect(await world.attachments.listForTask(t.id)).toEqual([first, tieA, tieB, latest]);
        expect(await world.attachments.listForTask(randomUUID())).toEqual([]);
      }));
  });

  describe('outbox', () => {
    const event = (taskId: string, actorId: string, occurredAt: Date): TaskEvent => ({
      type: 'task.status_changed',
      taskId,
      projectId: actorId,
      actorId,
      occurredAt,
      recipients: [owner, assignee],
      payload: { title: 'Ünïcode “title”', from: 'pending', to: 'in_progress' },
    });

    it('keeps the events of a committed transaction, as written, and none of a failed one', () =>
      world.run(async () => {
        const [kept, lost] = [randomUUID(), randomUUID()];
        const written: TaskEvent[] = [
          event(kept, owner, at(0)),
          {
            type: 'task.reminder_changed',
            taskId: kept,
            projectId: owner,
            actorId: owner,
            occurredAt: at(1),
            recipients: [owner],
            payload: { reminderAt: null, dueDate: '2030-03-02T10:00:00.000Z' },
          },
          {
            type: 'task.assigned',
            taskId: kept,
            projectId: owner,
            actorId: owner,
            occurredAt: at(2),
            recipients: [assignee],
            payload: { title: 'x', assigneeId: assignee, previousAssigneeId: null },
          },
        ];
        await world.transactions.run(async () => {
          await world.outbox.append(written.slice(0, 2));
          await world.outbox.append([]);
          await world.outbox.append(written.slice(2));
        });
        await expect(
          world.transactions.run(async () => {
            await world.outbox.append([event(lost, owner, at(0))]);
            throw new Error('the change failed');
          }),
        ).rejects.toThrow('the change failed');
        expect(await world.committedEvents([kept, lost])).toEqual(written);
      }));
  });
});
