import {
  countSql,
  pageIdsSql,
  type Sql,
} from '../src/modules/tasks/adapters/persistence/task-list-query.ts';
import { TASK_COLUMNS } from '../src/modules/tasks/adapters/persistence/task-rows.ts';
import type { TaskListQuery } from '../src/modules/tasks/application/ports.ts';

export type { Sql };

/** The SQL `MikroOrmTaskRepository.list` runs for `query`: the page (with its rows) and the count. */
export function listStatements(query: TaskListQuery): { page: Sql; count: Sql } {
  const page = pageIdsSql(query);
  return {
    page: {
      text: `with page as (${page.text})
         select ${TASK_COLUMNS} from page p join tasks t on t.id = p.id
         order by p.sort_key ${page.direction}, p.id ${page.direction}`,
      params: page.params,
    },
    count: countSql(query),
  };
}

/** `GET /api/v1/tasks?limit=20` with every default, for `userId`. */
export const defaultListQuery = (userId: string): TaskListQuery => ({
  userId,
  scope: 'all',
  sort: '-created_at',
  limit: 20,
  window: { type: 'offset', offset: 0 },
});

/** `?` placeholders (MikroORM's) as `$1, $2, ...` (node-postgres'). */
export function numbered(sql: Sql): { text: string; values: unknown[] } {
  let n = 0;
  return { text: sql.text.replace(/\?/g, () => `$${++n}`), values: sql.params };
}
