import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { MailMessage } from '../../../src/modules/identity/application/ports.ts';
import type { ContainerOverrides } from '../../../src/container.ts';
import { bearer, body, json, makeAdmin, register, type Signed } from '../identity/http-client.ts';
import { createTestApp, type TestApp } from '../test-app.ts';
import { multipartBody, multipartType } from './multipart.ts';

export const UNLIMITED = {
  RATE_LIMIT_AUTH_PER_MINUTE: '1000000',
  RATE_LIMIT_USER_PER_MINUTE: '1000000',
} as const;

/** The real app, with mail recorded (for verification links) and attachments in a temp dir. */
export interface TasksTestApp extends TestApp {
  mails: MailMessage[];
}

export async function createTasksTestApp(
  env: Record<string, string> = {},
  overrides: ContainerOverrides = {},
): Promise<TasksTestApp> {
  const mails: MailMessage[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'tasks-attachments-'));
  const t = await createTestApp(
    { ...UNLIMITED, STORAGE_DIR: dir, ...env },
    {
      mailer: {
        send: async (m) => {
          mails.push(m);
        },
      },
      ...overrides,
    },
  );
  return {
    ...t,
    mails,
    close: async () => {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The verification token mailed to `email` (the newest one). */
export async function verificationToken(t: TasksTestApp, email: string): Promise<string> {
  await t.container.mailer.drain();
  const mail = t.mails.filter((m) => m.to === email && /verify-email\?token=/.test(m.text)).at(-1);
  if (!mail) throw new Error(`no verification mail for ${email}`);
  const match = /token=([^\s&"<]+)/.exec(mail.text);
  if (!match?.[1]) throw new Error('no token in the verification mail');
  return decodeURIComponent(match[1]);
}

/** A registered user whose email is verified, so that they can be assigned tasks. */
export async function verifiedUser(t: TasksTestApp): Promise<Signed> {
  const user = await register(t);
  const token = await verificationToken(t, user.email);
  const res = await t.app.request('/api/v1/auth/verify-email', json({ token }));
  if (res.status !== 200) throw new Error(`verify failed: ${res.status} ${await res.text()}`);
  return user;
}

/** A registered, verified user, then deactivated by an admin. */
export async function deactivatedUser(t: TasksTestApp, admin: Signed): Promise<Signed> {
  const user = await verifiedUser(t);
  const res = await t.app.request(
    `/api/v1/admin/users/${user.userId}`,
    bearer(admin.accessToken, { ...json({ is_active: false }), method: 'PATCH' }),
  );
  if (res.status !== 200) throw new Error(`deactivate failed: ${res.status} ${await res.text()}`);
  return user;
}

export async function adminUser(t: TasksTestApp): Promise<Signed> {
  const admin = await register(t);
  await makeAdmin(t, admin.email);
  return admin;
}

export interface CategoryJson {
  id: string;
  user_id: string;
  name: string;
  color: string | null;
  created_at: string;
}

export interface TaskJson {
  id: string;
  project_id: string;
  owner_id: string;
  assignee_id: string | null;
  title: string;
  description: string | null;
  status: 'pending' | 'in_progress' | 'completed';
  priority: 'low' | 'medium' | 'high' | 'urgent';
  due_date: string | null;
  remind_at: string | null;
  categories: CategoryJson[];
  attachment_count: number;
  comment_count: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  version: number;
}

export interface TaskListJson {
  items: TaskJson[];
  total: number | null;
  page: number;
  limit: number;
  next_cursor: string | null;
}

export interface CommentJson {
  id: string;
  task_id: string;
  author_id: string;
  body: string;
  created_at: string;
  updated_at: string;
}

export interface AttachmentJson {
  id: string;
  task_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  uploaded_by: string;
  created_at: string;
}

export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  code: string;
  detail?: string;
  instance: string;
  request_id: string;
  errors?: Array<{ field: string; message: string }>;
  current_version?: number;
}

export const API = '/api/v1';

/** Requests as one user; paths are relative to `/api/v1`. */
export class TasksClient {
  readonly t: TestApp;
  readonly user: Signed;

  constructor(t: TestApp, user: Signed) {
    this.t = t;
    this.user = user;
  }

  get id(): string {
    return this.user.userId;
  }

  async request(method: string, path: string, payload?: unknown): Promise<Response> {
    const init: RequestInit =
      payload === undefined ? { method } : { ...json(payload), method: method.toUpperCase() };
    return this.t.app.request(`${API}${path}`, bearer(this.user.accessToken, init));
  }

  get = (path: string) => this.request('GET', path);
  post = (path: string, payload?: unknown) => this.request('POST', path, payload);
  patch = (path: string, payload: unknown) => this.request('PATCH', path, payload);
  put = (path: string, payload: unknown) => this.request('PUT', path, payload);
  del = (path: string) => this.request('DELETE', path);

  async createTask(fields: Record<string, unknown> = {}): Promise<TaskJson> {
    const res = await this.post('/tasks', { title: 'A task to do', ...fields });
    return expectStatus<TaskJson>(res, 201);
  }

  async task(taskId: string): Promise<TaskJson> {
    return expectStatus<TaskJson>(await this.get(`/tasks/${taskId}`), 200);
  }

  async createCategory(name = uniqueName('Cat'), color?: string | null): Promise<CategoryJson> {
    const res = await this.post('/categories', { name, ...(color === undefined ? {} : { color }) });
    return expectStatus<CategoryJson>(res, 201);
  }

  async categories(): Promise<CategoryJson[]> {
    return (await expectStatus<{ items: CategoryJson[] }>(await this.get('/categories'), 200))
      .items;
  }

  async comment(taskId: string, text = 'A comment'): Promise<CommentJson> {
    return expectStatus<CommentJson>(
      await this.post(`/tasks/${taskId}/comments`, { body: text }),
      201,
    );
  }

  async comments(taskId: string, query = ''): Promise<CommentJson[]> {
    const res = await this.get(`/tasks/${taskId}/comments${query}`);
    return (await expectStatus<{ items: CommentJson[] }>(res, 200)).items;
  }

  async upload(
    taskId: string,
    content: Uint8Array | string,
    filename = 'file.bin',
    contentType?: string,
  ): Promise<Response> {
    return this.t.app.request(
      `${API}/tasks/${taskId}/attachments`,
      bearer(this.user.accessToken, {
        method: 'POST',
        headers: { 'Content-Type': multipartType() },
        body: multipartBody([
          { name: 'file', filename, content, ...(contentType ? { contentType } : {}) },
        ]),
      }),
    );
  }

  async attach(
    taskId: string,
    content: Uint8Array | string,
    filename = 'file.bin',
  ): Promise<AttachmentJson> {
    return expectStatus<AttachmentJson>(await this.upload(taskId, content, filename), 201);
  }

  async attachments(taskId: string): Promise<AttachmentJson[]> {
    const res = await this.get(`/tasks/${taskId}/attachments`);
    return (await expectStatus<{ items: AttachmentJson[] }>(res, 200)).items;
  }

  async list(query = ''): Promise<TaskListJson> {
    return expectStatus<TaskListJson>(await this.get(`/tasks${query}`), 200);
  }
}

export async function expectStatus<T = Record<string, unknown>>(
  res: Response,
  status: number,
): Promise<T> {
  const text = await res.text();
  expect(res.status, `${res.status} ${text}`).toBe(status);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Asserts a problem+json answer with this status (and code, if given); returns the problem. */
export async function expectProblem(
  res: Response,
  status: number,
  code?: string,
): Promise<ProblemJson> {
  const text = await res.text();
  expect(res.status, `${res.status} ${text}`).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(text) as ProblemJson;
  expect(problem.status).toBe(status);
  if (code !== undefined) expect(problem.code).toBe(code);
  return problem;
}

export const fieldsOf = (problem: ProblemJson) => (problem.errors ?? []).map((e) => e.field);

/** Whether an `errors[]` entry names `field` (or an element of it: `category_ids.0`). */
export const namesField = (problem: ProblemJson, field: string) =>
  fieldsOf(problem).some(
    (f) => f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`),
  );

let counter = 0;
export const uniqueName = (prefix = 'Name') =>
  `${prefix} ${Date.now().toString(36)}${(counter++).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

export const NO_SUCH_ID = '0193a1f2-8b7c-7d4e-9f00-1a2b3c4d5e6f';

export { body, type Signed };
