/*
 * A small client as a client team writes it: openapi-fetch over types that openapi-typescript
 * generated from openapi/openapi.json (api.generated.ts, written by the contract test, not
 * committed). It must type-check without a single cast or `any`; the contract test checks both
 * and then runs it against a real server.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api.generated.ts';

type Task = components['schemas']['Task'];
type Attachment = components['schemas']['Attachment'];

export interface Tour {
  userId: string;
  created: Task;
  attachment: Attachment;
  downloaded: { text: string; type: string | null; disposition: string | null };
  etagBefore: string;
  patched: Task;
  etagAfter: string | null;
  pages: string[][];
}

function failed(step: string, status: number, problem: unknown): Error {
  return new Error(`${step} answered ${status}: ${JSON.stringify(problem)}`);
}

/** Registers, then walks through the task features a client uses most. */
export async function tour(baseUrl: string, email: string): Promise<Tour> {
  const anonymous = createClient<paths>({ baseUrl });
  const registered = await anonymous.POST('/api/v1/auth/register', {
    body: { email, password: 'a perfectly fine passphrase', full_name: 'Client Team' },
  });
  if (!registered.data) {
    throw failed('register', registered.response.status, registered.error);
  }
  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${registered.data.access_token}` },
  });

  const category = await api.POST('/api/v1/categories', {
    body: { name: 'Reports', color: '#1E90FF' },
  });
  if (!category.data) throw failed('create category', category.response.status, category.error);

  const created = await api.POST('/api/v1/tasks', {
    body: { title: 'Write the report', priority: 'high', category_ids: [category.data.id] },
  });
  if (!created.data) throw failed('create task', created.response.status, created.error);
  const path = { task_id: created.data.id };

  const file = new Blob(['Quarterly numbers, all of them.\n'], { type: 'text/plain' });
  const uploaded = await api.POST('/api/v1/tasks/{task_id}/attachments', {
    params: { path },
    body: { file },
    bodySerializer(body) {
      const form = new FormData();
      form.append('file', body.file, 'numbers.txt');
      return form;
    },
  });
  if (!uploaded.data) throw failed('upload', uploaded.response.status, uploaded.error);

  const download = await api.GET('/api/v1/tasks/{task_id}/attachments/{attachment_id}/content', {
    params: { path: { ...path, attachment_id: uploaded.data.id } },
    parseAs: 'blob',
  });
  if (!download.data) throw failed('download', download.response.status, download.error);

  const current = await api.GET('/api/v1/tasks/{task_id}', { params: { path } });
  const etag = current.response.headers.get('ETag');
  if (!current.data || etag === null) {
    throw failed('get task', current.response.status, current.error);
  }
  // If-Match carries the precondition, so the body needs no `version`.
  const patched = await api.PATCH('/api/v1/tasks/{task_id}', {
    params: { path },
    headers: { 'If-Match': etag },
    body: { status: 'in_progress' },
  });
  if (!patched.data) throw failed('patch', patched.response.status, patched.error);

  for (const title of ['Check the figures', 'Send the report']) {
    const more = await api.POST('/api/v1/tasks', { body: { title } });
    if (!more.data) throw failed('create task', more.response.status, more.error);
  }
  const pages: string[][] = [];
  let cursor: string | undefined;
  do {
    const page = await api.GET('/api/v1/tasks', {
      params: { query: { limit: 2, sort: 'created_at', ...(cursor ? { cursor } : {}) } },
    });
    if (!page.data) throw failed('list tasks', page.response.status, page.error);
    pages.push(page.data.items.map((task) => task.id));
    cursor = page.data.next_cursor ?? undefined;
  } while (cursor !== undefined && pages.length < 10);

  return {
    userId: registered.data.user.id,
    created: created.data,
    attachment: uploaded.data,
    downloaded: {
      text: await download.data.text(),
      type: download.response.headers.get('Content-Type'),
      disposition: download.response.headers.get('Content-Disposition'),
    },
    etagBefore: etag,
    patched: patched.data,
    etagAfter: patched.response.headers.get('ETag'),
    pages,
  };
}
