import { describe, expect, it } from 'vitest';
import {
  memberAdded,
  memberRemoved,
  projectInvited,
} from '../../../src/modules/tasks/domain/project-events.ts';

const base = {
  project: { id: 'p-1', name: 'Launch' },
  actorId: 'admin',
  occurredAt: new Date('2030-01-01T00:00:00Z'),
};

describe('project events', () => {
  it('tell the invitee of an invitation, and no one when the email has no account', () => {
    const invited = projectInvited(base, { id: 'i-1', role: 'editor', inviteeId: 'ann' });
    expect(invited).toEqual({
      type: 'project.invited',
      taskId: null,
      projectId: 'p-1',
      actorId: 'admin',
      occurredAt: base.occurredAt,
      recipients: ['ann'],
      payload: { projectName: 'Launch', role: 'editor', invitationId: 'i-1' },
    });
    expect(projectInvited(base, { id: 'i-2', role: 'viewer', inviteeId: null }).recipients).toEqual(
      [],
    );
  });

  it('tell the people concerned about a new member, never the actor, each once', () => {
    const joined = memberAdded({ ...base, actorId: 'ann' }, { userId: 'ann', role: 'viewer' }, [
      'admin',
      'ann',
      'admin',
    ]);
    expect(joined.recipients).toEqual(['admin']);
    expect(joined.payload).toEqual({ projectName: 'Launch', userId: 'ann', role: 'viewer' });
  });

  it('tell a removed member, but not one who left by themself', () => {
    expect(memberRemoved(base, 'bob').recipients).toEqual(['bob']);
    expect(memberRemoved({ ...base, actorId: 'bob' }, 'bob').recipients).toEqual([]);
    expect(memberRemoved(base, 'bob').payload).toEqual({ projectName: 'Launch', userId: 'bob' });
  });
});
