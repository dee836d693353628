import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, register, uniqueEmail } from '../support/identity/http-client.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  inHours,
  TasksClient,
  type TaskJson,
  type TasksTestApp,
} from '../support/tasks/http-tasks.ts';

let t: TasksTestApp;
let user: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  user = new TasksClient(t, await register(t));
});
afterAll(() => t.close());

const post = (path: string, payload: unknown) => t.app.request(`/api/v1${path}`, json(payload));
const sorted = (fields: string[]) => [...fields].sort();

describe('a request is judged completely before it is refused', () => {
  it('names a bad email, a short password and an empty full_name in one 400', async () => {
    const res = await post('/auth/register', {
      email: 'not-an-email',
      password: 'short',
      full_name: '',
    });
    const problem = await expectProblem(res, 400, 'validation_failed');
    expect(sorted(fieldsOf(problem))).toEqual(['email', 'full_name', 'password']);
  });

  it('names a common password next to the schema’s errors, one entry per field', async () => {
    const res = await post('/auth/register', {
      email: 'a@b',
      password: 'password123',
      full_name: 'Ada',
    });
    const problem = await expectProblem(res, 400, 'validation_failed');
    expect(problem.errors).toEqual([
      { field: 'email', message: 'must be a valid email address' },
      { field: 'password', message: 'is too common; choose another' },
    ]);
  });

  it('keeps weak_password when the password is the only problem', async () => {
    const short = await post('/auth/register', {
      email: uniqueEmail(),
      password: 'short',
      full_name: 'Ada',
    });
    expect(fieldsOf(await expectProblem(short, 400, 'weak_password'))).toEqual(['password']);
    const common = await post('/auth/register', {
      email: uniqueEmail(),
      password: 'password123',
      full_name: 'Ada',
    });
    expect(fieldsOf(await expectProblem(common, 400, 'weak_password'))).toEqual(['password']);
  });

  it('names a title too short after trimming and an unknown priority together', async () => {
    const res = await user.post('/tasks', { title: ' ab ', priority: 'critical' });
    const problem = await expectProblem(res, 400, 'validation_failed');
    expect(sorted(fieldsOf(problem))).toEqual(['priority', 'title']);
  });

  it('adds the date rules of the domain to the schema’s errors', async () => {
    const res = await user.post('/tasks', {
      title: 'ab',
      priority: 'critical',
      due_date: inHours(-1),
    });
    const problem = await expectProblem(res, 400, 'validation_failed');
    expect(sorted(fieldsOf(problem))).toEqual(['due_date', 'priority', 'title']);
    expect(problem.errors?.find((e) => e.field === 'due_date')?.message).toBe(
      'must be in the future',
    );
  });

  it('refuses a malformed email on password/forgot (400), still 202 for any well-formed one', async () => {
    const bad = await post('/auth/password/forgot', { email: 'not-an-email' });
    expect(fieldsOf(await expectProblem(bad, 400, 'validation_failed'))).toEqual(['email']);
    expect((await post('/auth/password/forgot', { email: uniqueEmail() })).status).toBe(202);
  });
});

describe('the schemas hold the domain’s limits', () => {
  it('counts characters as code points: 200 emoji are a valid title, 201 are not', async () => {
    const ok = await user.post('/tasks', { title: '🙂'.repeat(200) });
    expect((await expectStatus<TaskJson>(ok, 201)).title).toBe('🙂'.repeat(200));
    const long = await user.post('/tasks', { title: '🙂'.repeat(201) });
    expect(fieldsOf(await expectProblem(long, 400))).toEqual(['title']);
  });

  it('refuses a category colour that is not #RRGGBB and a name over 50 characters', async () => {
    const res = await user.post('/categories', { name: 'x'.repeat(51), color: 'red' });
    expect(sorted(fieldsOf(await expectProblem(res, 400, 'validation_failed')))).toEqual([
      'color',
      'name',
    ]);
  });

  it('refuses a comment body over 5000 characters or only whitespace', async () => {
    const task = await user.createTask();
    for (const body of ['x'.repeat(5001), '   ']) {
      const res = await user.post(`/tasks/${task.id}/comments`, { body });
      expect(fieldsOf(await expectProblem(res, 400, 'validation_failed'))).toEqual(['body']);
    }
  });
});
