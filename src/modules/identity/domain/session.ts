export const SESSION_LIFETIME_DAYS = 30;
/** A refresh token rotated less than this long ago is a lost race, not reuse. */
export const REFRESH_GRACE_SECONDS = 10;

export interface Session {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | undefined;
  userAgent: string | undefined;
  ip: string | undefined;
}

export function newSession(input: {
  id: string;
  userId: string;
  now: Date;
  userAgent?: string | undefined;
  ip?: string | undefined;
  lifetimeDays?: number;
}): Session {
  const lifetime = (input.lifetimeDays ?? SESSION_LIFETIME_DAYS) * 86_400_000;
  return {
    id: input.id,
    userId: input.userId,
    createdAt: input.now,
    lastUsedAt: input.now,
    expiresAt: new Date(input.now.getTime() + lifetime),
    revokedAt: undefined,
    userAgent: input.userAgent?.slice(0, 512),
    ip: input.ip,
  };
}

export function isSessionLive(session: Session, now: Date): boolean {
  return session.revokedAt === undefined && session.expiresAt.getTime() > now.getTime();
}

export type RefreshTokenStanding =
  { kind: 'current' } | { kind: 'previous'; rotatedAt: Date } | { kind: 'older' };

/** What presenting a refresh token means, given where it stands in its session's chain. */
export type RefreshVerdict = 'rotate' | 'grace' | 'reuse';

export function judgeRefresh(standing: RefreshTokenStanding, now: Date): RefreshVerdict {
  if (standing.kind === 'current') return 'rotate';
  if (
    standing.kind === 'previous' &&
    now.getTime() - standing.rotatedAt.getTime() <= REFRESH_GRACE_SECONDS * 1000
  ) {
    return 'grace';
  }
  return 'reuse';
}
