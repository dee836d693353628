import type { AccessTokenScope } from './modules/identity/domain/access-token.ts';
import { ANY_TOKEN, NO_TOKENS, type TokenAccessTable } from './shared/http/token-access.ts';

/**
 * What a personal access token needs for each operation of the API: the one table the bearer
 * middleware enforces and the OpenAPI document is written from. A test fails while an operation
 * of the document has no entry here; until it has one, tokens are refused there.
 *
 * Tokens never reach what manages the account itself (`/auth/*`, tokens, profile changes,
 * administration), nor the WebSocket: a socket outlives the request that opened it, and only
 * sessions' sockets are closed the moment they are revoked. Integrations use webhooks instead.
 * Reading one's own profile needs no scope: a token's holder may know whose token it is.
 */
export const TOKEN_ACCESS: TokenAccessTable<AccessTokenScope> = {
  'POST /api/v1/auth/register': NO_TOKENS,
  'POST /api/v1/auth/login': NO_TOKENS,
  'POST /api/v1/auth/refresh': NO_TOKENS,
  'POST /api/v1/auth/logout': NO_TOKENS,
  'POST /api/v1/auth/logout-all': NO_TOKENS,
  'POST /api/v1/auth/verify-email': NO_TOKENS,
  'POST /api/v1/auth/verify-email/resend': NO_TOKENS,
  'POST /api/v1/auth/password/forgot': NO_TOKENS,
  'POST /api/v1/auth/password/reset': NO_TOKENS,
  'POST /api/v1/auth/password/change': NO_TOKENS,
  'GET /api/v1/auth/sessions': NO_TOKENS,
  'DELETE /api/v1/auth/sessions/{session_id}': NO_TOKENS,
  'GET /api/v1/users/me': ANY_TOKEN,
  'PATCH /api/v1/users/me': NO_TOKENS,
  'GET /api/v1/admin/users': NO_TOKENS,
  'PATCH /api/v1/admin/users/{user_id}': NO_TOKENS,
  'POST /api/v1/tokens': NO_TOKENS,
  'GET /api/v1/tokens': NO_TOKENS,
  'DELETE /api/v1/tokens/{token_id}': NO_TOKENS,

  'POST /api/v1/tasks': 'tasks:write',
  'GET /api/v1/tasks': 'tasks:read',
  'GET /api/v1/tasks/{task_id}': 'tasks:read',
  'PATCH /api/v1/tasks/{task_id}': 'tasks:write',
  'DELETE /api/v1/tasks/{task_id}': 'tasks:write',
  'PUT /api/v1/tasks/{task_id}/assignee': 'tasks:write',
  'DELETE /api/v1/tasks/{task_id}/assignee': 'tasks:write',
  'POST /api/v1/tasks/{task_id}/categories/{category_id}': 'tasks:write',
  'DELETE /api/v1/tasks/{task_id}/categories/{category_id}': 'tasks:write',
  // Categories are the labels of tasks: read and written with them.
  'POST /api/v1/categories': 'tasks:write',
  'GET /api/v1/categories': 'tasks:read',
  'PATCH /api/v1/categories/{category_id}': 'tasks:write',
  'DELETE /api/v1/categories/{category_id}': 'tasks:write',
  'POST /api/v1/tasks/{task_id}/comments': 'comments:write',
  'GET /api/v1/tasks/{task_id}/comments': 'tasks:read',
  'PATCH /api/v1/tasks/{task_id}/comments/{comment_id}': 'comments:write',
  'DELETE /api/v1/tasks/{task_id}/comments/{comment_id}': 'comments:write',
  'POST /api/v1/tasks/{task_id}/attachments': 'attachments:write',
  'GET /api/v1/tasks/{task_id}/attachments': 'tasks:read',
  'GET /api/v1/tasks/{task_id}/attachments/{attachment_id}/content': 'tasks:read',
  'DELETE /api/v1/tasks/{task_id}/attachments/{attachment_id}': 'attachments:write',

  'POST /api/v1/projects': 'projects:write',
  'GET /api/v1/projects': 'projects:read',
  'GET /api/v1/projects/{project_id}': 'projects:read',
  'PATCH /api/v1/projects/{project_id}': 'projects:write',
  'DELETE /api/v1/projects/{project_id}': 'projects:write',
  'POST /api/v1/projects/{project_id}/archive': 'projects:write',
  'POST /api/v1/projects/{project_id}/unarchive': 'projects:write',
  'POST /api/v1/projects/{project_id}/transfer': 'projects:write',
  'GET /api/v1/projects/{project_id}/members': 'projects:read',
  'PATCH /api/v1/projects/{project_id}/members/{user_id}': 'projects:write',
  'DELETE /api/v1/projects/{project_id}/members/{user_id}': 'projects:write',
  'GET /api/v1/admin/projects': NO_TOKENS,
  // Invitations are part of project membership: managed and answered with the projects scopes.
  'POST /api/v1/projects/{project_id}/invitations': 'projects:write',
  'GET /api/v1/projects/{project_id}/invitations': 'projects:read',
  'DELETE /api/v1/projects/{project_id}/invitations/{invitation_id}': 'projects:write',
  'GET /api/v1/invitations': 'projects:read',
  'POST /api/v1/invitations/{invitation_id}/accept': 'projects:write',
  'POST /api/v1/invitations/{invitation_id}/decline': 'projects:write',

  'GET /api/v1/notifications': 'notifications:read',
  // Marking read changes only the caller's own read marks: part of reading the inbox.
  'POST /api/v1/notifications/read-all': 'notifications:read',
  'POST /api/v1/notifications/{notification_id}/read': 'notifications:read',
  'POST /api/v1/ws/tickets': NO_TOKENS,
  'GET /api/v1/ws': NO_TOKENS,

  'POST /api/v1/webhooks': 'webhooks:manage',
  'GET /api/v1/webhooks': 'webhooks:manage',
  'GET /api/v1/webhooks/{webhook_id}': 'webhooks:manage',
  'PATCH /api/v1/webhooks/{webhook_id}': 'webhooks:manage',
  'DELETE /api/v1/webhooks/{webhook_id}': 'webhooks:manage',
  'POST /api/v1/webhooks/{webhook_id}/rotate-secret': 'webhooks:manage',
  'POST /api/v1/webhooks/{webhook_id}/ping': 'webhooks:manage',
  'GET /api/v1/webhooks/{webhook_id}/deliveries': 'webhooks:manage',
  'POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver': 'webhooks:manage',

  'GET /health': NO_TOKENS,
  'GET /health/ready': NO_TOKENS,
  'GET /metrics': NO_TOKENS,
};
