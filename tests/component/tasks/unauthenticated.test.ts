import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import { fillPath, routeName, TASKS_ROUTES } from '../../support/tasks/http-routes.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  TasksClient,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';
import { multipartBody, multipartType } from '../../support/tasks/multipart.ts';
import { samples } from '../../support/tasks/file-samples.ts';

let t: TasksTestApp;
let owner: TasksClient;
let ids: Record<string, string>;

beforeAll(async () => {
  t = await createTasksTestApp();
  owner = new TasksClient(t, await register(t));
  const category = await owner.createCategory();
  const task = await owner.createTask({ category_ids: [category.id] });
  const comment = await owner.comment(task.id);
  const attachment = await owner.attach(task.id, samples.png, 'pixel.png');
  ids = {
    task: task.id,
    category: category.id,
    comment: comment.id,
    attachment: attachment.id,
    user: owner.id,
  };
});
afterAll(async () => {
  await t.close();
});

function requestInit(route: (typeof TASKS_ROUTES)[number], authorization?: string): RequestInit {
  const headers: Record<string, string> = authorization ? { Authorization: authorization } : {};
  if (route.multipart) {
    return {
      method: route.method,
      headers: { ...headers, 'Content-Type': multipartType() },
      body: multipartBody([{ name: 'file', filename: 'a.png', content: samples.png }]),
    };
  }
  if (route.body === undefined) return { method: route.method, headers };
  const body = JSON.stringify(route.body).replace('":user"', JSON.stringify(ids.user));
  return {
    method: route.method,
    headers: { ...headers, 'Content-Type': 'application/json' },
    body,
  };
}

describe('every tasks route refuses a caller without a valid token', () => {
  const credentials: Array<[string, string | undefined]> = [
    ['no Authorization header', undefined],
    ['a garbage bearer token', 'Bearer not.a.jwt'],
    ['a non-bearer scheme', 'Basic dXNlcjpwYXNz'],
  ];

  for (const route of TASKS_ROUTES) {
    it(`${routeName(route)} answers 401 with WWW-Authenticate: Bearer`, async () => {
      for (const [, authorization] of credentials) {
        const res = await t.app.request(
          `${API}${fillPath(route.path, ids)}`,
          requestInit(route, authorization),
        );
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        const problem = await expectProblem(res, 401);
        expect(problem.request_id).toBeTruthy();
      }
    });
  }

  it('leaves the objects it was pointed at untouched', async () => {
    const task = await owner.task(ids.task as string);
    expect(task).toMatchObject({
      version: 1,
      comment_count: 1,
      attachment_count: 1,
      assignee_id: null,
    });
    expect(task.categories.map((c) => c.id)).toEqual([ids.category]);
    expect((await owner.comments(task.id)).map((c) => c.body)).toEqual(['A comment']);
    expect((await owner.categories()).map((c) => c.id)).toEqual([ids.category]);
    expect((await owner.attachments(task.id)).map((a) => a.id)).toEqual([ids.attachment]);
    expect((await owner.list()).total).toBe(1);
  });
});
