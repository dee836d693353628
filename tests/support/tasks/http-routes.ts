/**
 * Every route of the tasks module (the Tasks, Categories, Comments and Attachments tags of
 * openapi/openapi.json), so a table-driven test cannot forget one. `:task`, `:category`,
 * `:comment`, `:attachment` are placeholders for ids.
 */
export interface TasksRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  /** A valid JSON body, where the route takes one. */
  body?: unknown;
  /** The route takes a multipart upload. */
  multipart?: true;
}

export const TASKS_ROUTES: TasksRoute[] = [
  { method: 'POST', path: '/tasks', body: { title: 'A task to do' } },
  { method: 'GET', path: '/tasks' },
  { method: 'GET', path: '/tasks/:task' },
  { method: 'PATCH', path: '/tasks/:task', body: { title: 'Renamed', version: 1 } },
  { method: 'DELETE', path: '/tasks/:task' },
  { method: 'PUT', path: '/tasks/:task/assignee', body: { assignee_id: ':user' } },
  { method: 'DELETE', path: '/tasks/:task/assignee' },
  { method: 'POST', path: '/tasks/:task/categories/:category' },
  { method: 'DELETE', path: '/tasks/:task/categories/:category' },
  { method: 'POST', path: '/categories', body: { name: 'Work' } },
  { method: 'GET', path: '/categories' },
  { method: 'PATCH', path: '/categories/:category', body: { name: 'Home' } },
  { method: 'DELETE', path: '/categories/:category' },
  { method: 'POST', path: '/tasks/:task/comments', body: { body: 'Hello' } },
  { method: 'GET', path: '/tasks/:task/comments' },
  { method: 'PATCH', path: '/tasks/:task/comments/:comment', body: { body: 'Edited' } },
  { method: 'DELETE', path: '/tasks/:task/comments/:comment' },
  { method: 'POST', path: '/tasks/:task/attachments', multipart: true },
  { method: 'GET', path: '/tasks/:task/attachments' },
  { method: 'GET', path: '/tasks/:task/attachments/:attachment/content' },
  { method: 'DELETE', path: '/tasks/:task/attachments/:attachment' },
];

export const routeName = (route: TasksRoute) => `${route.method} ${route.path}`;

export function fillPath(path: string, ids: Partial<Record<string, string>>): string {
  return path.replace(/:(\w+)/g, (_, name: string) => {
    const id = ids[name];
    if (id === undefined) throw new Error(`no id for :${name}`);
    return id;
  });
}
