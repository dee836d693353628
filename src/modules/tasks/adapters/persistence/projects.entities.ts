import { defineEntity, p } from '@mikro-orm/core';

/**
 * The project tables as the migrations create them. A project's roles live in `project_members`
 * alone (the owner is the member whose role is `owner`); `inbox_user_id` marks a user's personal
 * project and makes it one per user.
 */
export const ProjectRecord = defineEntity({
  name: 'ProjectRecord',
  tableName: 'projects',
  properties: {
    id: p.uuid().primary(),
    name: p.text(),
    description: p.text().nullable(),
    color: p.text().nullable(),
    inboxUserId: p.uuid().nullable().unique('projects_inbox_user_id_key'),
    archivedAt: p.datetime().columnType('timestamptz').nullable(),
    deletedAt: p.datetime().columnType('timestamptz').nullable(),
    createdAt: p.datetime().columnType('timestamptz'),
    updatedAt: p.datetime().columnType('timestamptz'),
    version: p.integer().default(1),
  },
  checks: [
    {
      name: 'projects_name_check',
      expression: 'char_length(name) >= 1 and char_length(name) <= 100',
    },
    { name: 'projects_color_check', expression: `color ~ '^#[0-9A-Fa-f]{6}$'` },
    { name: 'projects_version_check', expression: 'version >= 1' },
    {
      name: 'projects_inbox_check',
      expression: 'inbox_user_id is null or (archived_at is null and deleted_at is null)',
    },
  ],
  indexes: [
    // The admins' list of every live project, newest first.
    { name: 'projects_live_created', properties: ['createdAt', 'id'], where: 'deleted_at is null' },
  ],
});

export const ProjectMemberRecord = defineEntity({
  name: 'ProjectMemberRecord',
  tableName: 'project_members',
  properties: {
    projectId: p
      .manyToOne(ProjectRecord)
      .primary()
      .mapToPk()
      .fieldName('project_id')
      .foreignKeyName('project_members_project_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    userId: p.uuid().primary(),
    role: p.text(),
    joinedAt: p.datetime().columnType('timestamptz'),
  },
  checks: [
    {
      name: 'project_members_role_check',
      expression: `role in ('viewer', 'editor', 'admin', 'owner')`,
    },
  ],
  uniques: [
    { name: 'project_members_one_owner', properties: ['projectId'], where: `role = 'owner'` },
  ],
  indexes: [
    // "My projects", and every visibility check: from the user to their projects and roles.
    { name: 'project_members_user', properties: ['userId', 'projectId'], include: ['role'] },
  ],
});

export const ProjectInvitationRecord = defineEntity({
  name: 'ProjectInvitationRecord',
  tableName: 'project_invitations',
  properties: {
    id: p.uuid().primary(),
    projectId: p
      .manyToOne(ProjectRecord)
      .mapToPk()
      .fieldName('project_id')
      .foreignKeyName('project_invitations_project_id_fkey')
      .deleteRule('cascade')
      .updateRule('no action'),
    email: p.text(),
    role: p.text(),
    invitedBy: p.uuid(),
    status: p.text().default('pending'),
    expiresAt: p.datetime().columnType('timestamptz'),
    createdAt: p.datetime().columnType('timestamptz'),
    respondedAt: p.datetime().columnType('timestamptz').nullable(),
  },
  checks: [
    { name: 'project_invitations_role_check', expression: `role in ('viewer', 'editor', 'admin')` },
    {
      name: 'project_invitations_status_check',
      expression: `status in ('pending', 'accepted', 'declined', 'revoked', 'expired')`,
    },
    { name: 'project_invitations_email_normalised', expression: 'email = lower(btrim(email))' },
  ],
  uniques: [
    {
      name: 'project_invitations_pending',
      properties: ['projectId', 'email'],
      where: `status = 'pending'`,
    },
  ],
  indexes: [
    // A project's invitations of any status, newest first.
    { name: 'project_invitations_project', properties: ['projectId', 'createdAt', 'id'] },
    {
      name: 'project_invitations_email_pending',
      properties: ['email', 'createdAt'],
      where: `status = 'pending'`,
    },
  ],
});
