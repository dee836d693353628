import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  idempotencyScope,
  KEY_NOT_ACCEPTED_MESSAGE,
  requestFingerprint,
} from '../../src/shared/http/idempotency.ts';
import type { RunningServer } from '../../src/server.ts';
import { bearer, json, register, type Signed } from '../support/identity/http-client.ts';
import { startServer } from '../support/notifications/live-client.ts';
import {
  API,
  createTasksTestApp,
  expectProblem,
  expectStatus,
  TasksClient,
  type CategoryJson,
  type CommentJson,
  type TaskJson,
  type TasksTestApp,
} from '../support/tasks/http-tasks.ts';

let t: TasksTestApp;

beforeAll(async () => {
  t = await createTasksTestApp();
});
afterAll(async () => {
  await t.close();
});

/** A POST with a JSON body and an `Idempotency-Key`, through `app.request`. */
async function post(user: Signed, path: string, payload: unknown, key: string): Promise<Response> {
  return t.app.request(
    `${API}${path}`,
    bearer(user.accessToken, json(payload, { 'Idempotency-Key': key })),
  );
}

async function rows(table: 'tasks' | 'categories' | 'comments', column: string, id: string) {
  const [row] = await t.container.orm.em
    .fork()
    .execute<Array<{ n: string }>>(`select count(*) as n from ${table} where ${column} = ?`, [id]);
  return Number(row!.n);
}

/** `idempotency_requests_total` by outcome. */
async function outcomes(): Promise<Record<string, number>> {
  const metric = t.container.metrics.registry.getSingleMetric('idempotency_requests_total');
  const { values } = await metric!.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
}

const replayed = (res: Response) => res.headers.get('Idempotent-Replayed');

describe('Idempotency-Key', () => {
  it('stores the first answer and replays it to a retry, creating nothing new', async () => {
    const owner = await register(t);
    const key = randomUUID();
    const payload = { title: 'Pay the rent', priority: 'high' };
    const first = await post(owner, '/tasks', payload, key);
    const created = await expectStatus<TaskJson>(first, 201);
    expect(replayed(first)).toBeNull();
    const retry = await post(owner, '/tasks', payload, key);
    expect(retry.status).toBe(201);
    expect(replayed(retry)).toBe('true');
    expect(await retry.json()).toEqual(created);
    for (const name of ['Location', 'ETag', 'Content-Type']) {
      expect(retry.headers.get(name)).toBe(first.headers.get(name));
    }
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(1);
    expect(await outcomes()).toMatchObject({
      stored: expect.any(Number),
      replayed: expect.any(Number),
    });
  });

  it('replays categories and comments too, each created once', async () => {
    const owner = await register(t);
    const client = new TasksClient(t, owner);
    const task = await client.createTask();
    const key = randomUUID();
    const category = { name: `Home ${randomUUID()}` };
    const first = await expectStatus<CategoryJson>(
      await post(owner, '/categories', category, key),
      201,
    );
    const again = await post(owner, '/categories', category, key);
    expect(replayed(again)).toBe('true');
    expect(await again.json()).toEqual(first);
    expect(await rows('categories', 'user_id', owner.userId)).toBe(1);

    const comment = { body: 'Done by Friday' };
    const made = await expectStatus<CommentJson>(
      await post(owner, `/tasks/${task.id}/comments`, comment, key),
      201,
    );
    const twice = await post(owner, `/tasks/${task.id}/comments`, comment, key);
    expect(replayed(twice)).toBe('true');
    expect(await twice.json()).toEqual(made);
    expect(await rows('comments', 'task_id', task.id)).toBe(1);
  });

  it('replays a final refusal (404, 400) instead of running the request again', async () => {
    const owner = await register(t);
    const key = randomUUID();
    const payload = { title: 'Tagged', category_ids: [randomUUID()] };
    const first = await post(owner, '/tasks', payload, key);
    const problem = await expectProblem(first, 404, 'not_found');
    const retry = await post(owner, '/tasks', payload, key);
    expect(retry.status).toBe(404);
    expect(replayed(retry)).toBe('true');
    expect(await retry.json()).toEqual(problem);

    const invalid = { title: '' };
    const other = randomUUID();
    await expectProblem(await post(owner, '/tasks', invalid, other), 400, 'validation_failed');
    const again = await post(owner, '/tasks', invalid, other);
    expect(replayed(again)).toBe('true');
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(0);
  });

  it('refuses the key with another body or on another task (422), running neither', async () => {
    const owner = await register(t);
    const client = new TasksClient(t, owner);
    const [a, b] = [await client.createTask(), await client.createTask()];
    const key = randomUUID();
    await expectStatus(await post(owner, `/tasks/${a.id}/comments`, { body: 'First' }, key), 201);
    await expectProblem(
      await post(owner, `/tasks/${a.id}/comments`, { body: 'Second' }, key),
      422,
      'idempotency_key_reused',
    );
    await expectProblem(
      await post(owner, `/tasks/${b.id}/comments`, { body: 'First' }, key),
      422,
      'idempotency_key_reused',
    );
    expect(await rows('comments', 'task_id', a.id)).toBe(1);
    expect(await rows('comments', 'task_id', b.id)).toBe(0);
  });

  it('keeps the keys of different users apart', async () => {
    const [ada, bob] = await Promise.all([register(t), register(t)]);
    const key = randomUUID();
    const category = { name: `Shared name ${randomUUID()}` };
    const mine = await post(ada, '/categories', category, key);
    const theirs = await post(bob, '/categories', category, key);
    const [x, y] = [
      await expectStatus<CategoryJson>(mine, 201),
      await expectStatus<CategoryJson>(theirs, 201),
    ];
    expect(replayed(theirs)).toBeNull();
    expect(x.id).not.toBe(y.id);
    expect([x.user_id, y.user_id]).toEqual([ada.userId, bob.userId]);
  });

  it.each([
    ['empty', ''],
    ['longer than 255 characters', 'k'.repeat(256)],
    ['with a space', 'two words'],
    ['with a non-ASCII character', 'caf\u00e9'],
  ])('refuses a key that is %s (400 naming the header), creating nothing', async (_name, key) => {
    const owner = await register(t);
    const problem = await expectProblem(
      await post(owner, '/tasks', { title: 'Never made' }, key),
      400,
      'validation_failed',
    );
    expect(problem.errors).toEqual([
      { field: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' },
    ]);
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(0);
  });

  it('accepts a 255-character key, and the draft’s quoted form as the same key', async () => {
    const owner = await register(t);
    const payload = { title: 'Long key' };
    await expectStatus(await post(owner, '/tasks', payload, 'k'.repeat(255)), 201);
    const key = `~!#$%&'()*+,-./0123456789:;<=>?@AZ[]^_\`az{|}`;
    await expectStatus(await post(owner, '/tasks', payload, key), 201);
    const quoted = await post(owner, '/tasks', payload, `"${key}"`);
    expect(quoted.status).toBe(201);
    expect(replayed(quoted)).toBe('true');
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(2);
  });

  it('does not store a 5xx: the retry runs again and succeeds', async () => {
    const owner = await register(t);
    const name = `Refused ${randomUUID()}`;
    const fn = `idem_refuse_${randomUUID().replaceAll('-', '')}`;
    const em = t.container.orm.em.fork();
    // The database itself fails the insert of this one name, as a failing dependency would.
    await em.execute(
      `create function ${fn}() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`,
    );
    await em.execute(
      `create trigger ${fn} before insert on categories for each row when (new.name = '${name}') execute function ${fn}()`,
    );
    const key = randomUUID();
    try {
      await expectProblem(await post(owner, '/categories', { name }, key), 500, 'internal_error');
      const again = await post(owner, '/categories', { name }, key);
      expect(again.status).toBe(500);
      expect(replayed(again)).toBeNull();
    } finally {
      await em.execute(`drop trigger ${fn} on categories`);
      await em.execute(`drop function ${fn}()`);
    }
    const healed = await post(owner, '/categories', { name }, key);
    expect(healed.status).toBe(201);
    expect(replayed(healed)).toBeNull();
    expect(await rows('categories', 'user_id', owner.userId)).toBe(1);
  });

  it('frees the key of a request whose holder died once its lease runs out', async () => {
    const owner = await register(t);
    const key = randomUUID();
    const payload = { title: 'Started by an instance that crashed' };
    const body = new TextEncoder().encode(JSON.stringify(payload));
    // The claim a dead instance leaves behind: never completed, never renewed.
    await t.container.idempotency.claim(
      idempotencyScope(owner.userId, 'POST /api/v1/tasks', key),
      requestFingerprint('/api/v1/tasks', 'application/json', body),
      300,
    );
    const blocked = await post(owner, '/tasks', payload, key);
    await expectProblem(blocked, 409, 'idempotency_in_progress');
    expect(blocked.headers.get('Retry-After')).toBe('1');
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const retried = await post(owner, '/tasks', payload, key);
    expect(retried.status).toBe(201);
    expect(replayed(retried)).toBeNull();
    expect(await rows('tasks', 'owner_id', owner.userId)).toBe(1);
  });
});

describe('Idempotency-Key where the answer carries a secret shown once', () => {
  const notAccepted = async (res: Response) => {
    const problem = await expectProblem(res, 400, 'validation_failed');
    expect(problem.errors).toEqual([
      { field: 'Idempotency-Key', message: KEY_NOT_ACCEPTED_MESSAGE },
    ]);
  };
  const count = async (table: 'webhooks' | 'access_tokens', userId: string) => {
    const [row] = await t.container.orm.em
      .fork()
      .execute<Array<{ n: string }>>(`select count(*) as n from ${table} where user_id = ?`, [
        userId,
      ]);
    return Number(row!.n);
  };
  // A literal public address: nothing is resolved, and no event is sent to it.
  const webhook = { url: 'https://93.184.216.34/hook', events: ['task.assigned'] };

  it('refuses the key (400) on creating a webhook or a token, creating nothing, rather than ignore it', async () => {
    const owner = await register(t);
    const key = randomUUID();

    await notAccepted(await post(owner, '/webhooks', webhook, key));
    await notAccepted(await post(owner, '/tokens', { name: 'CI', scopes: ['tasks:read'] }, key));

    expect(await count('webhooks', owner.userId)).toBe(0);
    expect(await count('access_tokens', owner.userId)).toBe(0);
    const created = await t.app.request(
      `${API}/webhooks`,
      bearer(owner.accessToken, json(webhook)),
    );
    expect(created.status).toBe(201);
  });

  it('refuses the key (400) on rotating a webhook secret, rotating nothing', async () => {
    const owner = await register(t);
    const created = await expectStatus<{ id: string }>(
      await t.app.request(`${API}/webhooks`, bearer(owner.accessToken, json(webhook))),
      201,
    );
    const rotated = async () => {
      const [row] = await t.container.orm.em
        .fork()
        .execute<Array<{ previous_secret: string | null }>>(
          'select previous_secret from webhooks where id = ?',
          [created.id],
        );
      return row!.previous_secret;
    };

    await notAccepted(await post(owner, `/webhooks/${created.id}/rotate-secret`, {}, randomUUID()));

    expect(await rotated()).toBeNull();
  });
});

describe('Idempotency-Key on a listening server', () => {
  let server: RunningServer;
  let base: string;
  beforeAll(async () => {
    server = await startServer(t);
    base = `http://127.0.0.1:${server.port}${API}`;
  });
  afterAll(() => server.close(1_000));

  it('answers one of two concurrent identical requests 201 and the other 409 with Retry-After', async () => {
    const owner = await register(t);
    const task = await new TasksClient(t, owner).createTask();
    const key = randomUUID();
    const send = () =>
      fetch(
        `${base}/tasks/${task.id}/comments`,
        bearer(owner.accessToken, json({ body: 'Only once' }, { 'Idempotency-Key': key })),
      );
    // Holding the task's row makes the comment insert (its foreign key check) wait, so whichever
    // request claims the key first is still running when the other arrives.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = t.container.orm.em.fork().transactional(async (em) => {
      await em.execute('select id from tasks where id = ? for update', [task.id]);
      locked();
      await held;
    });
    await lockTaken;
    const requests = [send(), send()];
    let answers: Response[];
    try {
      const first = await Promise.race(requests);
      await expectProblem(first, 409, 'idempotency_in_progress');
      expect(first.headers.get('Retry-After')).toBe('1');
    } finally {
      release();
      await holder;
      answers = await Promise.all(requests);
    }
    expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
    const after = await send();
    expect(after.status).toBe(201);
    expect(after.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await rows('comments', 'task_id', task.id)).toBe(1);
  });
});

describe('Idempotency-Key while Redis is unreachable', () => {
  it('answers 503 with Retry-After rather than run the request unguarded', async () => {
    const down = await createTasksTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const owner = await register(down);
      const res = await down.app.request(
        `${API}/tasks`,
        bearer(owner.accessToken, json({ title: 'Not now' }, { 'Idempotency-Key': randomUUID() })),
      );
      await expectProblem(res, 503, 'service_unavailable');
      expect(res.headers.get('Retry-After')).not.toBeNull();
      const [row] = await down.container.orm.em
        .fork()
        .execute<Array<{ n: string }>>('select count(*) as n from tasks where owner_id = ?', [
          owner.userId,
        ]);
      expect(Number(row!.n)).toBe(0);
    } finally {
      await down.close();
    }
  });
});

describe('Idempotency-Key from a browser', () => {
  it('is allowed by CORS, and Idempotent-Replayed is exposed to the page', async () => {
    const origin = 'https://app.example.com';
    const browser = await createTasksTestApp({ CORS_ORIGINS: origin });
    try {
      const preflight = await browser.app.request(`${API}/tasks`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
        },
      });
      expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('Idempotency-Key');
      const owner = await register(browser);
      const res = await browser.app.request(
        `${API}/tasks`,
        bearer(owner.accessToken, json({ title: 'From a page' }, { Origin: origin })),
      );
      expect(res.status).toBe(201);
      expect(res.headers.get('Access-Control-Expose-Headers')).toContain('Idempotent-Replayed');
    } finally {
      await browser.close();
    }
  });
});
