import { describe, expect, it } from 'vitest';
import { Project, PROJECT_NAME_MAX } from '../../../src/modules/tasks/domain/project.ts';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const T1 = new Date('2030-01-02T00:00:00.000Z');

const shared = () => Project.create({ id: 'p1', name: 'Launch' }, T0)._unsafeUnwrap();
const inbox = () => Project.inbox({ id: 'p0', userId: 'u1' }, T0);

describe('Project.rename', () => {
  it('applies present fields, trims the name and moves version and updated_at', () => {
    const project = shared();
    expect(project.rename({ name: '  Spring launch ', color: '#112233' }, T1)._unsafeUnwrap()).toBe(
      true,
    );
    expect(project.toProps()).toMatchObject({
      name: 'Spring launch',
      color: '#112233',
      description: null,
      updatedAt: T1,
      version: 2,
    });
  });

  it('changes nothing, version included, when nothing differs', () => {
    const project = shared();
    expect(project.rename({ name: 'Launch', description: null }, T1)._unsafeUnwrap()).toBe(false);
    expect(project.version).toBe(1);
    expect(project.updatedAt).toEqual(T0);
  });

  it('names every offending field at once', () => {
    const refused = shared().rename({ name: 'x'.repeat(PROJECT_NAME_MAX + 1), color: 'red' }, T1);
    const error = refused._unsafeUnwrapErr();
    expect(error.type === 'ValidationFailed' && error.errors.map((e) => e.field)).toEqual([
      'name',
      'color',
    ]);
  });

  it('refuses the Inbox and an archived project', () => {
    expect(inbox().rename({ name: 'Mine' }, T1)._unsafeUnwrapErr().type).toBe('PersonalProject');
    const archived = shared();
    archived.archive(T1);
    expect(archived.rename({ name: 'Other' }, T1)._unsafeUnwrapErr().type).toBe('ProjectArchived');
  });
});

describe('Project archive, unarchive and delete', () => {
  it('archives once, keeping the first archive time, and unarchives', () => {
    const project = shared();
    expect(project.archive(T1)._unsafeUnwrap()).toBe(true);
    expect(project.archive(new Date('2030-02-01T00:00:00Z'))._unsafeUnwrap()).toBe(false);
    expect(project.archivedAt).toEqual(T1);
    expect(project.guardWritable()._unsafeUnwrapErr().type).toBe('ProjectArchived');
    expect(project.unarchive(T1)._unsafeUnwrap()).toBe(true);
    expect(project.unarchive(T1)._unsafeUnwrap()).toBe(false);
    expect(project.guardWritable().isOk()).toBe(true);
    expect(project.version).toBe(3);
  });

  it('soft-deletes, archived or not, but never the Inbox', () => {
    const project = shared();
    project.archive(T1);
    expect(project.softDelete(T1).isOk()).toBe(true);
    expect(project.deletedAt).toEqual(T1);
    expect(inbox().softDelete(T1)._unsafeUnwrapErr().type).toBe('PersonalProject');
  });

  it('never archives the Inbox', () => {
    expect(inbox().archive(T1)._unsafeUnwrapErr().type).toBe('PersonalProject');
    expect(inbox().unarchive(T1)._unsafeUnwrapErr().type).toBe('PersonalProject');
    expect(inbox().guardShareable()._unsafeUnwrapErr().type).toBe('PersonalProject');
    expect(shared().guardShareable().isOk()).toBe(true);
  });
});
