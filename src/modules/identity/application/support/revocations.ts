import type { IdentityPorts } from '../ports.ts';

type Ports = Pick<IdentityPorts, 'sessions' | 'sessionStatus'>;

/** Revokes one session and tells the status cache, so its access tokens stop working at once. */
export async function revokeSession(ports: Ports, sessionId: string, now: Date): Promise<void> {
  await ports.sessions.revoke(sessionId, now);
  await ports.sessionStatus.markRevoked([sessionId]);
}

/** Call after the revoking transaction commits: a cache marked earlier could be refilled from stale rows. */
export async function forgetRevokedSessions(
  ports: Pick<Ports, 'sessionStatus'>,
  sessionIds: string[],
): Promise<void> {
  if (sessionIds.length > 0) await ports.sessionStatus.markRevoked(sessionIds);
}
