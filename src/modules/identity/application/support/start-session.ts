import { newSession } from '../../domain/session.ts';
import type { User } from '../../domain/user.ts';
import type { IdentityPorts } from '../ports.ts';

/** Where a login came from, shown back to the user in their session list. */
export interface ClientInfo {
  userAgent?: string | undefined;
  ip?: string | undefined;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

type Ports = Pick<IdentityPorts, 'sessions' | 'secretTokens' | 'accessTokens' | 'ids'>;

/** Opens a session and issues its first token pair; shared by login and registration. */
export async function startSession(
  ports: Ports,
  user: User,
  client: ClientInfo,
  now: Date,
): Promise<SessionTokens> {
  const session = newSession({
    id: ports.ids.next(),
    userId: user.id,
    now,
    userAgent: client.userAgent,
    ip: client.ip,
  });
  const refreshToken = ports.secretTokens.generate();
  await ports.sessions.insert(session, ports.secretTokens.hash(refreshToken));
  const access = await ports.accessTokens.issue(
    { userId: user.id, sessionId: session.id, role: user.role },
    now,
  );
  return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
}
