/**
 * The operations that honour `Idempotency-Key`, one line each (`METHOD /path/{param}` as in the
 * OpenAPI document): the middleware applies it to these, and the document declares it on them.
 * Every POST that creates something is here unless `NOT_IDEMPOTENT` says why not.
 */
export const IDEMPOTENT_OPERATIONS: readonly string[] = [
  'POST /api/v1/tasks',
  'POST /api/v1/categories',
  'POST /api/v1/tasks/{task_id}/comments',
  // A retried invitation or answer would otherwise get 409 for what its lost first try did.
  'POST /api/v1/projects/{project_id}/invitations',
  'POST /api/v1/invitations/{invitation_id}/accept',
  'POST /api/v1/invitations/{invitation_id}/decline',
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
};
