/**
 * The operations that honour `Idempotency-Key`, one line each (`METHOD /path/{param}` as in the
 * OpenAPI document): the middleware applies it to these, and the document declares it on them.
 * Every POST that creates something is here unless `NOT_IDEMPOTENT` says why not.
 */
export const IDEMPOTENT_OPERATIONS: readonly string[] = [
  'POST /api/v1/tasks',
  'POST /api/v1/categories',
  'POST /api/v1/tasks/{task_id}/comments',
  'POST /api/v1/webhooks/{webhook_id}/ping',
  'POST /api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver',
  'POST /api/v1/projects',
  // A retried invitation or answer would otherwise get 409 for what its lost first try did.
  'POST /api/v1/projects/{project_id}/invitations',
  'POST /api/v1/invitations/{invitation_id}/accept',
  'POST /api/v1/invitations/{invitation_id}/decline',
];

/** Why an operation whose answer carries a show-once secret keeps no replay. */
const SHOWN_ONCE =
  'The answer carries a secret shown once; a stored replay would keep that secret outside its hash for 24 hours. A client that lost the answer lists what it has and revokes the one it cannot use.';

/**
 * Operations of `NOT_IDEMPOTENT` that refuse the header (400) rather than ignore it: a client
 * sending it expects a retry to create nothing new, and here a retry would create a second
 * webhook or token (towards their limits) or rotate the secret again. The others ignore it: they
 * are idempotent by themselves, or their duplicates are found as their reasons say.
 */
export const REFUSES_IDEMPOTENCY_KEY: readonly string[] = [
  'POST /api/v1/tokens',
  'POST /api/v1/webhooks',
  'POST /api/v1/webhooks/{webhook_id}/rotate-secret',
];

/**
 * Operations that create or change something and do not take the header, with the reason the
 * document gives for each. `/api/v1/auth/*` is left out as a whole: those requests have no
 * authenticated caller to keep a key apart from everyone else's.
 */
export const NOT_IDEMPOTENT: Readonly<Record<string, string>> = {
  'POST /api/v1/tasks/{task_id}/attachments':
    'The upload streams to storage as it arrives, so its fingerprint is known only after the last byte: a retry (up to 10 MiB) would have to be read in full before it could be answered. An upload that is retried after a lost answer is found again by its `sha256` in the task’s attachments, and can be deleted.',
  'POST /api/v1/ws/tickets':
    'A ticket is single-use and short-lived; a replayed ticket would already be spent. Ask for a new one instead.',
  'PUT /api/v1/tasks/{task_id}/assignee':
    'Setting the assignee is idempotent by itself: the same request again leaves the same state.',
  'POST /api/v1/tasks/{task_id}/categories/{category_id}':
    'Adding a category is idempotent by itself: the same request again leaves the same state.',
  'POST /api/v1/tokens': SHOWN_ONCE,
  'POST /api/v1/webhooks': SHOWN_ONCE,
  'POST /api/v1/webhooks/{webhook_id}/rotate-secret': SHOWN_ONCE,
  'POST /api/v1/projects/{project_id}/archive':
    'Archiving is idempotent by itself: archiving an archived project changes nothing.',
  'POST /api/v1/projects/{project_id}/unarchive':
    'Unarchiving is idempotent by itself: unarchiving a project that is not archived changes nothing.',
  'POST /api/v1/projects/{project_id}/transfer':
    'A transfer cannot happen twice: once it is done the caller is no longer the owner, so a retry is refused (403) and changes nothing; re-read the project to see who owns it.',
};
