import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MikroOrmProjectRepository } from '../../../src/modules/tasks/adapters/persistence/mikro-orm-project-repository.ts';
import { INVITATION_LIMIT } from '../../../src/modules/tasks/application/create-invitation.ts';
import { INVITATION_VALIDITY_DAYS } from '../../../src/modules/tasks/domain/invitation.ts';
import { Project } from '../../../src/modules/tasks/domain/project.ts';
import type { ProjectRole } from '../../../src/modules/tasks/domain/project-role.ts';
import { UuidV7Ids } from '../../../src/shared/infra/uuid-v7-ids.ts';
import { bearer, json, register, uniqueEmail } from '../../support/identity/http-client.ts';
import { TestSmtpServer } from '../../support/smtp-server.ts';
import {
  expectProblem,
  expectStatus,
  fieldsOf,
  NO_SUCH_ID,
  TasksClient,
  UNLIMITED,
  uniqueName,
} from '../../support/tasks/http-tasks.ts';
import { createTestApp, type TestApp } from '../../support/test-app.ts';

interface InvitationJson {
  id: string;
  project_id: string;
  project_name: string;
  email: string;
  role: string;
  invited_by: string;
  status: string;
  expires_at: string;
  created_at: string;
}

const APP_BASE_URL = 'https://tasks.example.test';
const smtp = new TestSmtpServer();
const ids = new UuidV7Ids();
let t: TestApp;

beforeAll(async () => {
  await smtp.start();
  t = await createTestApp({ ...UNLIMITED, SMTP_URL: smtp.url, APP_BASE_URL });
});
afterAll(async () => {
  await t.close();
  await smtp.stop();
});

const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
  t.container.orm.em.getConnection().execute<T[]>(query, params);

async function verify(email: string): Promise<void> {
  const token = await smtp.tokenFor(email, 'verify-email');
  const res = await t.app.request('/api/v1/auth/verify-email', json({ token }));
  expect(res.status).toBe(200);
}

/** A registered user; verified unless asked not to be. */
async function user(options: { email?: string; verified?: boolean } = {}): Promise<TasksClient> {
  const signed = await register(t, options.email ?? uniqueEmail());
  if (options.verified !== false) await verify(signed.email);
  return new TasksClient(t, signed);
}

/** A shared project owned by `owner`, with `members` in their roles (stored directly). */
async function sharedProject(
  owner: TasksClient,
  members: Array<[TasksClient, ProjectRole]> = [],
): Promise<{ id: string; name: string }> {
  const name = uniqueName('Project');
  const project = Project.create({ id: ids.next(), name }, new Date())._unsafeUnwrap();
  await new MikroOrmProjectRepository(t.container.orm.em.fork()).insert(project, owner.id);
  for (const [member, role] of members) {
    await sql(
      'insert into project_members (project_id, user_id, role, joined_at) values (?, ?, ?, now())',
      [project.id, member.id, role],
    );
  }
  return { id: project.id, name };
}

const inbox = async (client: TasksClient) =>
  (await sql<{ id: string }>('select id from projects where inbox_user_id = ?', [client.id]))[0]!
    .id;

const invite = (admin: TasksClient, projectId: string, email: string, role = 'editor') =>
  admin.post(`/projects/${projectId}/invitations`, { email, role });

async function invited(
  admin: TasksClient,
  projectId: string,
  email: string,
  role = 'editor',
): Promise<InvitationJson> {
  return expectStatus<InvitationJson>(await invite(admin, projectId, email, role), 201);
}

const mine = async (client: TasksClient) =>
  (await expectStatus<{ items: InvitationJson[] }>(await client.get('/invitations'), 200)).items;

const projectInvitations = async (admin: TasksClient, projectId: string, status?: string) =>
  (
    await expectStatus<{ items: InvitationJson[] }>(
      await admin.get(
        `/projects/${projectId}/invitations${status === undefined ? '' : `?status=${status}`}`,
      ),
      200,
    )
  ).items;

const roleOf = async (projectId: string, userId: string) =>
  (
    await sql<{ role: string }>(
      'select role from project_members where project_id = ? and user_id = ?',
      [projectId, userId],
    )
  )[0]?.role;

/** Moves an invitation's expiry into the past, as if a week had gone by. */
const expire = (invitationId: string) =>
  sql(`update project_invitations set expires_at = now() - interval '1 second' where id = ?`, [
    invitationId,
  ]);

describe('inviting', () => {
  it('stores a pending invitation for a week and mails the address a link without a token', async () => {
    const owner = await user();
    const project = await sharedProject(owner);
    const email = uniqueEmail('Invitee');
    const res = await invite(owner, project.id, `  ${email.toUpperCase()} `, 'admin');
    const invitation = await expectStatus<InvitationJson>(res.clone(), 201);
    expect(res.headers.get('Location')).toBe(
      `/api/v1/projects/${project.id}/invitations/${invitation.id}`,
    );
    expect(invitation).toMatchObject({
      project_id: project.id,
      project_name: project.name,
      email: email.toLowerCase(),
      role: 'admin',
      invited_by: owner.id,
      status: 'pending',
    });
    expect(Date.parse(invitation.expires_at) - Date.parse(invitation.created_at)).toBe(
      INVITATION_VALIDITY_DAYS * 24 * 3_600_000,
    );

    const mail = await smtp.waitForMail(email.toLowerCase(), /invited you to the project/);
    expect(mail.text).toContain(project.name);
    expect(mail.text).toContain(`${APP_BASE_URL}/invitations`);
    expect(mail.text).not.toMatch(/token=/);
  });

  it('tells the account that owns the address, in the outbox', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email, 'viewer');
    const events = await sql<{ type: string; recipients: string[]; payload: unknown }>(
      'select type, recipients, payload from outbox_events where project_id = ?',
      [project.id],
    );
    expect(events).toEqual([
      {
        type: 'project.invited',
        recipients: [invitee.id],
        payload: { projectName: project.name, role: 'viewer', invitationId: invitation.id },
      },
    ]);
  });

  it('replays an invitation retried with the same Idempotency-Key instead of refusing it', async () => {
    const owner = await user();
    const project = await sharedProject(owner);
    const email = uniqueEmail();
    const key = `invite-${email}`;
    const send = () =>
      t.app.request(
        `/api/v1/projects/${project.id}/invitations`,
        bearer(owner.user.accessToken, {
          ...json({ email, role: 'viewer' }),
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
        }),
      );
    const first = await expectStatus<InvitationJson>(await send(), 201);
    const retry = await send();
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await expectStatus<InvitationJson>(retry, 201)).toEqual(first);
    expect(await projectInvitations(owner, project.id)).toEqual([first]);
  });

  it('refuses an address whose account is a member, and a second pending invitation', async () => {
    const owner = await user();
    const editor = await user();
    const project = await sharedProject(owner, [[editor, 'editor']]);
    await expectProblem(await invite(owner, project.id, editor.user.email), 409, 'already_member');
    await expectProblem(await invite(owner, project.id, owner.user.email), 409, 'already_member');
    const email = uniqueEmail();
    await invited(owner, project.id, email);
    await expectProblem(await invite(owner, project.id, email, 'viewer'), 409, 'already_invited');
    expect(await projectInvitations(owner, project.id)).toHaveLength(1);
  });

  it('lets an expired invitation make way for a new one', async () => {
    const owner = await user();
    const project = await sharedProject(owner);
    const email = uniqueEmail();
    const first = await invited(owner, project.id, email);
    await expire(first.id);
    const second = await invited(owner, project.id, email);
    expect(
      (await projectInvitations(owner, project.id, 'all')).map((i) => [i.id, i.status]),
    ).toEqual([
      [second.id, 'pending'],
      [first.id, 'expired'],
    ]);
  });

  it('is for admins and the owner: 403 below, 404 to non-members', async () => {
    const owner = await user();
    const [admin, editor, viewer, stranger] = await Promise.all([user(), user(), user(), user()]);
    const project = await sharedProject(owner, [
      [admin, 'admin'],
      [editor, 'editor'],
      [viewer, 'viewer'],
    ]);
    const pending = await invited(admin, project.id, uniqueEmail());
    for (const member of [editor, viewer]) {
      await expectProblem(await invite(member, project.id, uniqueEmail()), 403, 'forbidden');
      await expectProblem(
        await member.get(`/projects/${project.id}/invitations`),
        403,
        'forbidden',
      );
      await expectProblem(
        await member.del(`/projects/${project.id}/invitations/${pending.id}`),
        403,
        'forbidden',
      );
    }
    await expectProblem(await invite(stranger, project.id, uniqueEmail()), 404, 'not_found');
    await expectProblem(await stranger.get(`/projects/${project.id}/invitations`), 404);
    await expectProblem(
      await stranger.del(`/projects/${project.id}/invitations/${pending.id}`),
      404,
      'not_found',
    );
    await expectProblem(await invite(owner, NO_SUCH_ID, uniqueEmail()), 404, 'not_found');
    // Nothing changed meanwhile.
    expect(await projectInvitations(owner, project.id, 'all')).toEqual([pending]);
  });

  it('never shares an Inbox, and takes no invitation into an archived project', async () => {
    const owner = await user();
    await expectProblem(
      await invite(owner, await inbox(owner), uniqueEmail()),
      403,
      'personal_project',
    );
    const project = await sharedProject(owner);
    const pending = await invited(owner, project.id, uniqueEmail());
    await sql('update projects set archived_at = now() where id = ?', [project.id]);
    await expectProblem(await invite(owner, project.id, uniqueEmail()), 403, 'project_archived');
    await expectProblem(
      await owner.del(`/projects/${project.id}/invitations/${pending.id}`),
      403,
      'project_archived',
    );
    expect(await projectInvitations(owner, project.id)).toEqual([pending]);
  });

  it('refuses a malformed address or a role that cannot be given (400)', async () => {
    const owner = await user();
    const project = await sharedProject(owner);
    const bad = await expectProblem(
      await invite(owner, project.id, 'not an address', 'owner'),
      400,
      'validation_failed',
    );
    expect(fieldsOf(bad).sort()).toEqual(['email', 'role']);
    await expectProblem(
      await owner.get(`/projects/${project.id}/invitations?status=maybe`),
      400,
      'validation_failed',
    );
  });

  it(`allows ${INVITATION_LIMIT} invitations per user per hour (429 after)`, async () => {
    const owner = await user();
    const [first, second] = [await sharedProject(owner), await sharedProject(owner)];
    for (let i = 0; i < INVITATION_LIMIT; i++) {
      await invited(owner, i % 2 ? first.id : second.id, uniqueEmail('bulk'));
    }
    const refused = await invite(owner, first.id, uniqueEmail('bulk'));
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    await expectProblem(refused, 429, 'rate_limited');
    const other = await user();
    await invited(other, (await sharedProject(other)).id, uniqueEmail());
  });
});

describe('answering', () => {
  it('an address that registers later sees and accepts its invitation once verified', async () => {
    const owner = await user();
    const project = await sharedProject(owner);
    const email = uniqueEmail('later');
    const invitation = await invited(owner, project.id, email, 'viewer');

    const invitee = await user({ email, verified: false });
    expect(await mine(invitee)).toEqual([]);
    await expectProblem(await invitee.post(`/invitations/${invitation.id}/accept`), 404);

    await verify(email);
    expect(await mine(invitee)).toEqual([invitation]);
    const joined = await expectStatus<Record<string, unknown>>(
      await invitee.post(`/invitations/${invitation.id}/accept`),
      200,
    );
    expect(joined).toMatchObject({
      id: project.id,
      name: project.name,
      is_inbox: false,
      archived_at: null,
      my_role: 'viewer',
      member_count: 2,
      task_count: 0,
      version: 1,
    });
    expect(await roleOf(project.id, invitee.id)).toBe('viewer');
    expect(await mine(invitee)).toEqual([]);
    expect(await projectInvitations(owner, project.id, 'accepted')).toMatchObject([
      { id: invitation.id, status: 'accepted' },
    ]);
    const events = await sql<{ type: string; actor_id: string; recipients: string[] }>(
      `select type, actor_id, recipients from outbox_events
        where project_id = ? and type = 'project.member_added'`,
      [project.id],
    );
    expect(events).toEqual([
      { type: 'project.member_added', actor_id: invitee.id, recipients: [owner.id] },
    ]);
  });

  it('an unverified account sees no invitation to its address, and is not notified of it', async () => {
    const owner = await user();
    const invitee = await user({ verified: false });
    const project = await sharedProject(owner);
    await invited(owner, project.id, invitee.user.email);
    expect(await mine(invitee)).toEqual([]);
    const events = await sql<{ recipients: string[] }>(
      'select recipients from outbox_events where project_id = ?',
      [project.id],
    );
    expect(events).toEqual([{ recipients: [] }]);
  });

  it('someone else’s invitation is not found (404), and stays pending', async () => {
    const owner = await user();
    const [invitee, other] = [await user(), await user()];
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await expectProblem(await other.post(`/invitations/${invitation.id}/accept`), 404, 'not_found');
    await expectProblem(
      await other.post(`/invitations/${invitation.id}/decline`),
      404,
      'not_found',
    );
    await expectProblem(await other.post(`/invitations/${NO_SUCH_ID}/accept`), 404, 'not_found');
    expect(await mine(other)).toEqual([]);
    expect(await mine(invitee)).toEqual([invitation]);
    expect(await roleOf(project.id, other.id)).toBeUndefined();
  });

  it('accepting twice is refused the second time (409)', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await expectStatus(await invitee.post(`/invitations/${invitation.id}/accept`), 200);
    await expectProblem(
      await invitee.post(`/invitations/${invitation.id}/accept`),
      409,
      'invitation_closed',
    );
    await expectProblem(
      await invitee.post(`/invitations/${invitation.id}/decline`),
      409,
      'invitation_closed',
    );
    expect(await roleOf(project.id, invitee.id)).toBe('editor');
  });

  it('an expired invitation is refused (409) and listed as expired', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await expire(invitation.id);
    expect(await projectInvitations(owner, project.id, 'expired')).toMatchObject([
      { id: invitation.id, status: 'expired' },
    ]);
    expect(await projectInvitations(owner, project.id)).toEqual([]);
    expect(await mine(invitee)).toEqual([]);
    await expectProblem(
      await invitee.post(`/invitations/${invitation.id}/accept`),
      409,
      'invitation_closed',
    );
    expect(await roleOf(project.id, invitee.id)).toBeUndefined();
    const [row] = await sql<{ status: string }>(
      'select status from project_invitations where id = ?',
      [invitation.id],
    );
    expect(row?.status).toBe('expired');
  });

  it('declines (204): no membership, and the project may invite again', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await expectStatus(await invitee.post(`/invitations/${invitation.id}/decline`), 204);
    expect(await roleOf(project.id, invitee.id)).toBeUndefined();
    expect(await projectInvitations(owner, project.id, 'declined')).toMatchObject([
      { id: invitation.id, status: 'declined' },
    ]);
    await invited(owner, project.id, invitee.user.email);
  });

  it('an archived project cannot be joined (403)', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await sql('update projects set archived_at = now() where id = ?', [project.id]);
    await expectProblem(
      await invitee.post(`/invitations/${invitation.id}/accept`),
      403,
      'project_archived',
    );
    expect(await roleOf(project.id, invitee.id)).toBeUndefined();
  });

  it('accepts at once: one joins (200), the others are refused (409), one member row', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => invitee.post(`/invitations/${invitation.id}/accept`)),
    );
    expect(answers.map((res) => res.status).sort()).toEqual([200, 409, 409, 409]);
    for (const refused of answers.filter((res) => res.status === 409)) {
      await expectProblem(refused, 409, 'invitation_closed');
    }
    const rows = await sql<{ n: string }>(
      'select count(*) as n from project_members where project_id = ? and user_id = ?',
      [project.id, invitee.id],
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });
  it('waits for an archiving in progress, then refuses to join the archived project', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    const pool = await t.container.orm.em.getConnection().getNativeClient();
    const archiving = await pool.connect();
    try {
      await archiving.query('begin');
      await archiving.query('update projects set archived_at = now() where id = $1', [project.id]);
      const answer = invitee.post(`/invitations/${invitation.id}/accept`);
      await expect
        .poll(async () => {
          const [row] = await sql<{ n: string }>(
            `select count(*) as n from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'`,
          );
          return Number(row?.n);
        })
        .toBe(1);
      await archiving.query('commit');
      await expectProblem(await answer, 403, 'project_archived');
    } finally {
      archiving.release();
    }
    expect(await roleOf(project.id, invitee.id)).toBeUndefined();
    expect(await mine(invitee)).toEqual([invitation]);
  });
});

describe('revoking', () => {
  it('revokes a pending invitation (204), which can then not be accepted', async () => {
    const owner = await user();
    const invitee = await user();
    const project = await sharedProject(owner);
    const invitation = await invited(owner, project.id, invitee.user.email);
    await expectStatus(
      await owner.del(`/projects/${project.id}/invitations/${invitation.id}`),
      204,
    );
    expect(await mine(invitee)).toEqual([]);
    await expectProblem(
      await invitee.post(`/invitations/${invitation.id}/accept`),
      409,
      'invitation_closed',
    );
    await expectProblem(
      await owner.del(`/projects/${project.id}/invitations/${invitation.id}`),
      409,
      'invitation_closed',
    );
    await expectProblem(
      await owner.del(`/projects/${project.id}/invitations/${NO_SUCH_ID}`),
      404,
      'not_found',
    );
    expect(await projectInvitations(owner, project.id, 'revoked')).toMatchObject([
      { id: invitation.id, status: 'revoked' },
    ]);
  });

  it('finds no invitation through another project', async () => {
    const owner = await user();
    const [project, other] = [await sharedProject(owner), await sharedProject(owner)];
    const invitation = await invited(owner, project.id, uniqueEmail());
    await expectProblem(
      await owner.del(`/projects/${other.id}/invitations/${invitation.id}`),
      404,
      'not_found',
    );
    expect(await projectInvitations(owner, project.id)).toEqual([invitation]);
  });
});
