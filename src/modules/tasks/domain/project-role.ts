/** Membership roles, lowest first; each role may do everything the ones below it may. */
export const PROJECT_ROLES = ['viewer', 'editor', 'admin', 'owner'] as const;
export type ProjectRole = (typeof PROJECT_ROLES)[number];

/** The roles an admin may give by invitation or role change; ownership moves only by transfer. */
export const GRANTABLE_ROLES = ['viewer', 'editor', 'admin'] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

const RANK: Record<ProjectRole, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

export function roleAtLeast(role: ProjectRole, minimum: ProjectRole): boolean {
  return RANK[role] >= RANK[minimum];
}

export function isProjectRole(value: unknown): value is ProjectRole {
  return PROJECT_ROLES.some((role) => role === value);
}
