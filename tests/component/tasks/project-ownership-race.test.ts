import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, team } from '../../support/tasks/http-projects.ts';
import { createTasksTestApp, type TasksTestApp } from '../../support/tasks/http-tasks.ts';

let t: TasksTestApp;

beforeAll(async () => {
  t = await createTasksTestApp();
});
afterAll(() => t.close());

const ROUNDS = 8;

async function owners(projectId: string): Promise<string[]> {
  const rows = await sql<{ user_id: string }>(
    t,
    `select user_id from project_members where project_id = ? and role = 'owner'`,
    [projectId],
  );
  return rows.map((r) => r.user_id);
}

describe('ownership under concurrent changes', () => {
  it('a transfer racing role changes of both parties leaves exactly one owner', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { project, owner, admin, editor } = await team(t);
      const [transfer, demote, promote] = await Promise.all([
        owner.post(`/projects/${project.id}/transfer`, { user_id: editor.id }),
        admin.patch(`/projects/${project.id}/members/${editor.id}`, { role: 'viewer' }),
        owner.patch(`/projects/${project.id}/members/${admin.id}`, { role: 'editor' }),
      ]);
      expect(transfer.status).toBe(200);
      // Each change is decided on what is current: after the transfer the editor is the owner,
      // whose role no one may change; before it, the change applies.
      expect([200, 403]).toContain(demote.status);
      expect([200, 403]).toContain(promote.status);
      expect(await owners(project.id)).toEqual([editor.id]);
    }
  });

  it('two transfers at once: one wins, the other is refused, and there is one owner', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { project, owner, admin, editor } = await team(t);
      const answers = await Promise.all([
        owner.post(`/projects/${project.id}/transfer`, { user_id: editor.id }),
        owner.post(`/projects/${project.id}/transfer`, { user_id: admin.id }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 403]);
      const winner = answers[0].status === 200 ? editor.id : admin.id;
      expect(await owners(project.id)).toEqual([winner]);
    }
  });
});
