import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { entities } from '../../../src/container.ts';
import type { IdentityTables } from '../../../src/modules/identity/index.ts';
import { MikroOrmUserRepository } from '../../../src/modules/identity/adapters/persistence/mikro-orm-user-repository.ts';
import { User } from '../../../src/modules/identity/domain/user.ts';
import { initOrm, type Orm } from '../../../src/shared/infra/orm.ts';
import { rowsOf, StatementCache } from '../../../src/shared/infra/typed-statements.ts';

// One connection, so the statements it has prepared can be read back from it.
let orm: Orm;
beforeAll(async () => {
  orm = await initOrm({ databaseUrl: inject('databaseUrl'), entities, poolMax: 1 });
});
afterAll(() => orm.close());

const inContext = <T>(work: () => Promise<T>) => RequestContext.create(orm.em, work);
const db = (em: EntityManager) => em.getKysely<IdentityTables>();
const createdAt = new Date('2026-11-22T10:00:00.123Z');

async function registered(): Promise<User> {
  const user = User.register({
    id: randomUUID(),
    email: `u-${randomUUID()}@example.com`,
    fullName: 'Ada Lovelace',
    passwordHash: 'h',
    now: createdAt,
  });
  await inContext(() => new MikroOrmUserRepository(orm.em).insert(user));
  return user;
}

async function prepared(): Promise<Array<{ name: string; statement: string }>> {
  const pool = await orm.em.getConnection().getNativeClient();
  const { rows } = await pool.query<{ name: string; statement: string }>(
    'select name, statement from pg_prepared_statements',
  );
  return rows;
}

describe('rowsOf', () => {
  it('runs a statement outside a transaction as one named prepared statement per SQL text', async () => {
    const user = await registered();
    const byId = db(orm.em).selectFrom('users').select(['id', 'email']).where('id', '=', user.id);
    const byEmail = db(orm.em)
      .selectFrom('users')
      .select(['id', 'email'])
      .where('email', '=', user.email);

    expect(await inContext(() => rowsOf(orm.em, byId))).toEqual([
      { id: user.id, email: user.email },
    ]);
    expect(await inContext(() => rowsOf(orm.em, byId))).toHaveLength(1);
    expect(await inContext(() => rowsOf(orm.em, byEmail))).toHaveLength(1);

    const statements = await prepared();
    const ofById = statements.filter((s) => s.statement === byId.compile().sql);
    const ofByEmail = statements.filter((s) => s.statement === byEmail.compile().sql);
    expect(ofById).toHaveLength(1);
    expect(ofByEmail).toHaveLength(1);
    expect(ofById[0]!.name).not.toBe(ofByEmail[0]!.name);
  });

  it('leaves a statement unnamed when asked not to prepare it', async () => {
    const user = await registered();
    const query = db(orm.em)
      .selectFrom('users')
      .select(['id'])
      .where('id', '=', user.id)
      .where('full_name', '=', 'Ada Lovelace');

    expect(await inContext(() => rowsOf(orm.em, query, false))).toEqual([{ id: user.id }]);
    expect((await prepared()).map((s) => s.statement)).not.toContain(query.compile().sql);
  });

  it("reads through the transaction's connection inside one, seeing its uncommitted writes", async () => {
    const id = randomUUID();
    const seen = await inContext(() =>
      orm.em.transactional(async (tx) => {
        await db(tx)
          .insertInto('users')
          .values({
            id,
            email: `u-${id}@example.com`,
            full_name: 'Grace Hopper',
            password_hash: 'h',
            role: 'user',
            email_verified: false,
            is_active: true,
            failed_login_count: 0,
            locked_until: null,
            created_at: createdAt,
            updated_at: createdAt,
          })
          .execute();
        return rowsOf(tx, db(tx).selectFrom('users').select(['id']).where('id', '=', id));
      }),
    );
    expect(seen).toEqual([{ id }]);
  });

  it('returns timestamps as strings in a transaction and outside one alike', async () => {
    const user = await registered();
    const query = (em: EntityManager) =>
      db(em).selectFrom('users').select(['created_at', 'locked_until']).where('id', '=', user.id);

    const outside = await inContext(() => rowsOf(orm.em, query(orm.em)));
    const inside = await inContext(() => orm.em.transactional((tx) => rowsOf(tx, query(tx))));
    for (const [row] of [outside, inside]) {
      expect(typeof row!.created_at).toBe('string');
      expect(new Date(row!.created_at).toISOString()).toBe(createdAt.toISOString());
      expect(row!.locked_until).toBeNull();
    }
  });
});

describe('StatementCache', () => {
  it('compiles a shape once and binds each call its own values', async () => {
    const [ada, grace] = [await registered(), await registered()];
    const cache = new StatementCache<{ id: string }>();
    let builds = 0;
    const bind = (id: string) =>
      cache.bind('by-id', { id }, (v) => {
        builds += 1;
        return db(orm.em).selectFrom('users').select(['id']).where('id', '=', v.id);
      });

    const first = bind(ada.id);
    const second = bind(grace.id);
    expect(builds).toBe(1);
    expect(second.sql).toBe(first.sql);
    expect(second.parameters).toEqual([grace.id]);
    expect(await inContext(() => rowsOf(orm.em, second))).toEqual([{ id: grace.id }]);
  });

  it('refuses a shape that binds a value it was not given', () => {
    const cache = new StatementCache<{ id: string }>();
    expect(() =>
      cache.bind('by-id-and-name', { id: randomUUID() }, (v) =>
        db(orm.em)
          .selectFrom('users')
          .select(['id'])
          .where('id', '=', v.id)
          .where('full_name', '=', 'a constant'),
      ),
    ).toThrow(/binds a value it was not given/);
  });
});
