import { describe, expect, it } from 'vitest';
import {
  checkRemoval,
  checkRoleChange,
  checkTransfer,
  requireRole,
} from '../../../src/modules/tasks/domain/project-membership.ts';
import {
  GRANTABLE_ROLES,
  PROJECT_ROLES,
  roleAtLeast,
  type ProjectRole,
} from '../../../src/modules/tasks/domain/project-role.ts';

const outcome = (result: { isOk(): boolean; _unsafeUnwrapErr(): { type: string } }) =>
  result.isOk() ? 'ok' : result._unsafeUnwrapErr().type;

describe('requireRole', () => {
  it('hides the project from non-members and refuses members below the minimum', () => {
    expect(outcome(requireRole('p', undefined, 'viewer', 'manage_project'))).toBe(
      'ProjectNotFound',
    );
    expect(outcome(requireRole('p', 'editor', 'admin', 'manage_project'))).toBe('Forbidden');
    expect(outcome(requireRole('p', 'admin', 'admin', 'manage_project'))).toBe('ok');
    expect(outcome(requireRole('p', 'owner', 'admin', 'manage_project'))).toBe('ok');
  });
});

describe('checkRoleChange', () => {
  it('follows the table: admin+ only, never the owner, never above the actor', () => {
    for (const actor of PROJECT_ROLES) {
      for (const target of PROJECT_ROLES) {
        for (const role of GRANTABLE_ROLES) {
          const expected =
            !roleAtLeast(actor, 'admin') || target === 'owner' || !roleAtLeast(actor, role)
              ? 'Forbidden'
              : 'ok';
          expect(outcome(checkRoleChange(actor, target, role)), `${actor}→${target}:${role}`).toBe(
            expected,
          );
        }
      }
    }
    expect(outcome(checkRoleChange('admin', 'admin', 'viewer'))).toBe('ok');
  });
});

describe('checkRemoval', () => {
  const as = (userId: string, role: ProjectRole) => ({ userId, role });

  it('lets anyone but the owner leave', () => {
    for (const role of ['viewer', 'editor', 'admin'] as const) {
      expect(outcome(checkRemoval('p', as('u', role), as('u', role)))).toBe('ok');
    }
    expect(outcome(checkRemoval('p', as('u', 'owner'), as('u', 'owner')))).toBe('OwnerCannotLeave');
  });

  it('lets an admin or the owner remove anyone below the owner, and no one else remove anyone', () => {
    expect(outcome(checkRemoval('p', as('a', 'admin'), as('b', 'admin')))).toBe('ok');
    expect(outcome(checkRemoval('p', as('a', 'owner'), as('b', 'admin')))).toBe('ok');
    expect(outcome(checkRemoval('p', as('a', 'admin'), as('b', 'owner')))).toBe('Forbidden');
    expect(outcome(checkRemoval('p', as('a', 'editor'), as('b', 'viewer')))).toBe('Forbidden');
    expect(outcome(checkRemoval('p', as('a', 'viewer'), as('b', 'viewer')))).toBe('Forbidden');
  });
});

describe('checkTransfer', () => {
  it('is the owner’s alone, to someone else', () => {
    expect(outcome(checkTransfer({ userId: 'a', role: 'owner' }, 'b'))).toBe('ok');
    expect(outcome(checkTransfer({ userId: 'a', role: 'admin' }, 'b'))).toBe('Forbidden');
    expect(outcome(checkTransfer({ userId: 'a', role: 'owner' }, 'a'))).toBe('ValidationFailed');
  });
});
