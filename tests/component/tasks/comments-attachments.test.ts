import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register } from '../../support/identity/http-client.ts';
import { fileOfSize, samples, sha256 } from '../../support/tasks/file-samples.ts';
import {
  createTasksTestApp,
  expectProblem,
  expectStatus,
  fieldsOf,
  NO_SUCH_ID,
  TasksClient,
  verifiedUser,
  type AttachmentJson,
  type CommentJson,
  type TasksTestApp,
} from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;
let owner: TasksClient;
let assignee: TasksClient;

beforeAll(async () => {
  t = await createTasksTestApp();
  const [o, a] = await Promise.all([register(t), verifiedUser(t)]);
  owner = new TasksClient(t, o);
  assignee = new TasksClient(t, a);
});
afterAll(async () => {
  await t.close();
});

const sharedTask = () => owner.createTask({ assignee_id: assignee.id });

describe('comments', () => {
  it('adds a comment (201) as written, counted on the task', async () => {
    const task = await sharedTask();
    const text = '  Indented\n\tand multi-line — ünïcödé 🚀  ';
    const res = await owner.post(`/tasks/${task.id}/comments`, { body: text });
    const comment = await expectStatus<CommentJson>(res, 201);
    expect(comment).toMatchObject({ task_id: task.id, author_id: owner.id, body: text });
    expect(comment.updated_at).toBe(comment.created_at);
    expect(await owner.comments(task.id)).toEqual([comment]);
    expect((await owner.task(task.id)).comment_count).toBe(1);
  });

  it('lists comments oldest first, paginated, with the total', async () => {
    const task = await sharedTask();
    const made: CommentJson[] = [];
    for (let i = 1; i <= 5; i++) {
      made.push(await (i % 2 ? owner : assignee).comment(task.id, `Comment ${i}`));
    }
    const all = await expectStatus<{
      items: CommentJson[];
      total: number;
      page: number;
      limit: number;
    }>(await assignee.get(`/tasks/${task.id}/comments`), 200);
    expect(all).toEqual({ items: made, total: 5, page: 1, limit: 20 });
    const page2 = await expectStatus<{ items: CommentJson[]; total: number }>(
      await owner.get(`/tasks/${task.id}/comments?page=2&limit=2`),
      200,
    );
    expect(page2).toEqual({ items: made.slice(2, 4), total: 5, page: 2, limit: 2 });
    const beyond = await expectStatus<{ items: CommentJson[]; total: number }>(
      await owner.get(`/tasks/${task.id}/comments?page=4&limit=2`),
      200,
    );
    expect(beyond).toMatchObject({ items: [], total: 5 });
    for (const query of ['?limit=0', '?limit=101', '?page=0', '?page=x']) {
      await expectProblem(
        await owner.get(`/tasks/${task.id}/comments${query}`),
        400,
        'validation_failed',
      );
    }
    expect((await owner.task(task.id)).comment_count).toBe(5);
  });

  it('refuses empty, blank and over-long bodies (400 naming body)', async () => {
    const task = await sharedTask();
    for (const payload of [
      {},
      { body: '' },
      { body: '   \n\t ' },
      { body: 'x'.repeat(5001) },
      { body: 7 },
    ]) {
      const problem = await expectProblem(
        await owner.post(`/tasks/${task.id}/comments`, payload),
        400,
        'validation_failed',
      );
      expect(fieldsOf(problem)).toEqual(['body']);
    }
    expect(await owner.comment(task.id, 'x'.repeat(5000))).toMatchObject({ task_id: task.id });
    expect((await owner.comments(task.id)).length).toBe(1);
  });

  it('lets the author edit (200) and nobody else (403), reading the edit back', async () => {
    const task = await sharedTask();
    const mine = await assignee.comment(task.id, 'Assignee wrote this');
    const edited = await expectStatus<CommentJson>(
      await assignee.patch(`/tasks/${task.id}/comments/${mine.id}`, {
        body: 'Assignee edited this',
      }),
      200,
    );
    expect(edited).toMatchObject({
      id: mine.id,
      body: 'Assignee edited this',
      created_at: mine.created_at,
    });
    expect(Date.parse(edited.updated_at)).toBeGreaterThanOrEqual(Date.parse(mine.updated_at));
    // Not even the task owner may put words in the author's mouth.
    await expectProblem(
      await owner.patch(`/tasks/${task.id}/comments/${mine.id}`, { body: 'Owner rewrote it' }),
      403,
      'forbidden',
    );
    const ownerComment = await owner.comment(task.id, 'Owner wrote this');
    await expectProblem(
      await assignee.patch(`/tasks/${task.id}/comments/${ownerComment.id}`, { body: 'Hijacked' }),
      403,
      'forbidden',
    );
    expect(await owner.comments(task.id)).toEqual([edited, ownerComment]);
  });

  it('validates edits (400) and answers 404 for an unknown comment or one of another task', async () => {
    const task = await sharedTask();
    const other = await owner.createTask();
    const comment = await owner.comment(task.id);
    await expectProblem(
      await owner.patch(`/tasks/${task.id}/comments/${comment.id}`, { body: ' ' }),
      400,
    );
    await expectProblem(
      await owner.patch(`/tasks/${task.id}/comments/${NO_SUCH_ID}`, { body: 'x' }),
      404,
    );
    await expectProblem(
      await owner.patch(`/tasks/${other.id}/comments/${comment.id}`, { body: 'x' }),
      404,
    );
    await expectProblem(await owner.del(`/tasks/${other.id}/comments/${comment.id}`), 404);
    await expectProblem(await owner.del(`/tasks/${task.id}/comments/${NO_SUCH_ID}`), 404);
    expect(await owner.comments(task.id)).toEqual([comment]);
  });

  it('lets the author delete their comment and the task owner delete anyone’s (204)', async () => {
    const task = await sharedTask();
    const byAssignee = await assignee.comment(task.id, 'first');
    const byAssignee2 = await assignee.comment(task.id, 'second');
    const byOwner = await owner.comment(task.id, 'third');
    expect((await assignee.del(`/tasks/${task.id}/comments/${byAssignee.id}`)).status).toBe(204);
    expect((await owner.del(`/tasks/${task.id}/comments/${byAssignee2.id}`)).status).toBe(204);
    // The assignee is not the owner: someone else's comment stays.
    await expectProblem(
      await assignee.del(`/tasks/${task.id}/comments/${byOwner.id}`),
      403,
      'forbidden',
    );
    expect(await owner.comments(task.id)).toEqual([byOwner]);
    expect((await owner.task(task.id)).comment_count).toBe(1);
    await expectProblem(await assignee.del(`/tasks/${task.id}/comments/${byAssignee.id}`), 404);
  });

  it('answers 404 on every comment route of an unknown task', async () => {
    await expectProblem(await owner.post(`/tasks/${NO_SUCH_ID}/comments`, { body: 'x' }), 404);
    await expectProblem(await owner.get(`/tasks/${NO_SUCH_ID}/comments`), 404);
  });
});

describe('attachments', () => {
  type Listed = { items: AttachmentJson[] };

  it('uploads (201), lists, and downloads the same bytes with safe headers', async () => {
    const task = await sharedTask();
    const content = fileOfSize(200_000, samples.png);
    const res = await assignee.upload(task.id, content, 'holiday photo.png', 'image/png');
    const attachment = await expectStatus<AttachmentJson>(res, 201);
    expect(attachment).toMatchObject({
      task_id: task.id,
      filename: 'holiday photo.png',
      content_type: 'image/png',
      size_bytes: content.length,
      sha256: sha256(content),
      uploaded_by: assignee.id,
    });
    expect(
      await expectStatus<Listed>(await owner.get(`/tasks/${task.id}/attachments`), 200),
    ).toEqual({
      items: [attachment],
    });
    expect((await owner.task(task.id)).attachment_count).toBe(1);

    for (const who of [owner, assignee]) {
      const download = await who.get(`/tasks/${task.id}/attachments/${attachment.id}/content`);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('image/png');
      expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
      expect(download.headers.get('content-disposition')).toContain('holiday photo.png');
      expect(download.headers.get('x-content-type-options')).toBe('nosniff');
      expect(Buffer.from(await download.arrayBuffer()).equals(content)).toBe(true);
    }
  });

  it('stores the type the bytes have, not the one the client names', async () => {
    const task = await sharedTask();
    const html = '<html><body><script>alert(document.cookie)</script></body></html>';
    const page = await owner.attach(task.id, html, 'page.html');
    expect(page.content_type).toBe('text/plain');
    const download = await owner.get(`/tasks/${task.id}/attachments/${page.id}/content`);
    expect(download.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(download.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(await download.text()).toBe(html);

    const pdf = await owner.attach(task.id, samples.pdf, 'renamed.png');
    expect(pdf.content_type).toBe('application/pdf');
    const binary = await owner.attach(task.id, samples.exe, 'setup.txt');
    expect(binary.content_type).toBe('application/octet-stream');
    // A declared type that contradicts the bytes is refused outright.
    await expectProblem(await owner.upload(task.id, samples.exe, 'x.png', 'image/png'), 415);
    expect((await owner.attachments(task.id)).map((a) => a.id)).toEqual([
      page.id,
      pdf.id,
      binary.id,
    ]);
  });

  it('lets the uploader and the task owner delete (204), but not the assignee someone else’s file (403)', async () => {
    const task = await sharedTask();
    const byAssignee = await assignee.attach(task.id, samples.gif, 'a.gif');
    const byAssignee2 = await assignee.attach(task.id, samples.jpeg, 'b.jpg');
    const byOwner = await owner.attach(task.id, samples.pdf, 'c.pdf');
    expect((await assignee.del(`/tasks/${task.id}/attachments/${byAssignee.id}`)).status).toBe(204);
    expect((await owner.del(`/tasks/${task.id}/attachments/${byAssignee2.id}`)).status).toBe(204);
    await expectProblem(
      await assignee.del(`/tasks/${task.id}/attachments/${byOwner.id}`),
      403,
      'forbidden',
    );
    expect((await owner.attachments(task.id)).map((a) => a.id)).toEqual([byOwner.id]);
    expect((await owner.task(task.id)).attachment_count).toBe(1);
    for (const gone of [byAssignee, byAssignee2]) {
      await expectProblem(await owner.get(`/tasks/${task.id}/attachments/${gone.id}/content`), 404);
      await expectProblem(await owner.del(`/tasks/${task.id}/attachments/${gone.id}`), 404);
    }
    const still = await owner.get(`/tasks/${task.id}/attachments/${byOwner.id}/content`);
    expect(Buffer.from(await still.arrayBuffer()).equals(samples.pdf)).toBe(true);
  });

  it('answers 404 for an unknown attachment, one of another task, or an unknown task', async () => {
    const task = await sharedTask();
    const other = await owner.createTask();
    const attachment = await owner.attach(task.id, samples.png, 'p.png');
    await expectProblem(
      await owner.get(`/tasks/${task.id}/attachments/${NO_SUCH_ID}/content`),
      404,
    );
    await expectProblem(
      await owner.get(`/tasks/${other.id}/attachments/${attachment.id}/content`),
      404,
    );
    await expectProblem(await owner.del(`/tasks/${other.id}/attachments/${attachment.id}`), 404);
    await expectProblem(await owner.get(`/tasks/${NO_SUCH_ID}/attachments`), 404);
    await expectProblem(await owner.upload(NO_SUCH_ID, samples.png, 'p.png'), 404);
    expect(await owner.attachments(task.id)).toEqual([attachment]);
    expect(await owner.attachments(other.id)).toEqual([]);
  });

  it('answers 400 for a multipart body without a file part', async () => {
    const task = await sharedTask();
    const res = await t.app.request(`/api/v1/tasks/${task.id}/attachments`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${owner.user.accessToken}`,
        'Content-Type': 'multipart/form-data; boundary=XYZ',
      },
      body: '--XYZ\r\nContent-Disposition: form-data; name="other"\r\n\r\nhello\r\n--XYZ--\r\n',
    });
    await expectProblem(res, 400);
    expect(await owner.attachments(task.id)).toEqual([]);
  });
});
