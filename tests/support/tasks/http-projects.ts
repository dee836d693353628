import { register } from '../identity/http-client.ts';
import {
  expectStatus,
  TasksClient,
  uniqueName,
  verifiedUser,
  type TaskJson,
  type TasksTestApp,
} from './http-tasks.ts';

export interface ProjectJson {
  id: string;
  name: string;
  description: string | null;
  color: string | null;
  is_inbox: boolean;
  archived_at: string | null;
  my_role: 'viewer' | 'editor' | 'admin' | 'owner';
  member_count: number;
  task_count: number;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface ProjectListJson {
  items: ProjectJson[];
  next_cursor: string | null;
}

export interface MemberJson {
  user_id: string;
  email: string;
  full_name: string;
  role: ProjectJson['my_role'];
  joined_at: string;
}

export type Role = MemberJson['role'];

export async function sql<T = Record<string, unknown>>(
  t: TasksTestApp,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  return t.container.orm.em.fork().getConnection().execute<T[]>(text, params);
}

export async function createProject(
  client: TasksClient,
  fields: Record<string, unknown> = {},
): Promise<ProjectJson> {
  const res = await client.post('/projects', { name: uniqueName('Project'), ...fields });
  return expectStatus<ProjectJson>(res, 201);
}

/** Makes `userId` a member with `role`, as accepting an invitation would. */
export async function addMember(
  t: TasksTestApp,
  projectId: string,
  userId: string,
  role: Exclude<Role, 'owner'>,
): Promise<void> {
  await sql(
    t,
    `insert into project_members (project_id, user_id, role, joined_at) values (?, ?, ?, now())`,
    [projectId, userId, role],
  );
}

/** A task created by `creator` and put into the project, as moving it there would. */
export async function taskInProject(
  creator: TasksClient,
  projectId: string,
  fields: Record<string, unknown> = {},
): Promise<TaskJson> {
  const task = await creator.createTask(fields);
  await sql(creator.t as TasksTestApp, 'update tasks set project_id = ? where id = ?', [
    projectId,
    task.id,
  ]);
  return task;
}

/** Everything a refused request must leave as it was: the project row, its members, its tasks. */
export async function projectState(t: TasksTestApp, projectId: string) {
  const [project] = await sql(
    t,
    `select name, description, color, archived_at, deleted_at, version from projects where id = ?`,
    [projectId],
  );
  const members = await sql(
    t,
    `select user_id, role from project_members where project_id = ? order by user_id`,
    [projectId],
  );
  const tasks = await sql(
    t,
    `select id, assignee_id, deleted_at, version from tasks where project_id = ? order by id`,
    [projectId],
  );
  return { project, members, tasks };
}

export async function roleIn(t: TasksTestApp, projectId: string, userId: string) {
  const [row] = await sql<{ role: Role }>(
    t,
    'select role from project_members where project_id = ? and user_id = ?',
    [projectId, userId],
  );
  return row?.role;
}

/** A project owned by a fresh user, with a fresh (verified) member of every other role. */
export async function team(t: TasksTestApp) {
  const [o, a, e, v, s] = await Promise.all([
    verifiedUser(t),
    verifiedUser(t),
    verifiedUser(t),
    verifiedUser(t),
    register(t),
  ]);
  const owner = new TasksClient(t, o);
  const admin = new TasksClient(t, a);
  const editor = new TasksClient(t, e);
  const viewer = new TasksClient(t, v);
  const stranger = new TasksClient(t, s);
  const project = await createProject(owner);
  await addMember(t, project.id, admin.id, 'admin');
  await addMember(t, project.id, editor.id, 'editor');
  await addMember(t, project.id, viewer.id, 'viewer');
  return { project, owner, admin, editor, viewer, stranger };
}
