import type { IdentityPorts, OneTimeTokenPurpose } from '../ports.ts';

/** Verification links live 24 h, reset links 1 h. */
const ONE_TIME_TOKEN_LIFETIME_MS: Record<OneTimeTokenPurpose, number> = {
  verify_email: 24 * 3_600_000,
  password_reset: 3_600_000,
};

type Ports = Pick<IdentityPorts, 'oneTimeTokens' | 'secretTokens' | 'ids'>;

/** Stores the hash of a fresh token and returns the token itself, which only the mail carries. */
export async function issueOneTimeToken(
  ports: Ports,
  userId: string,
  purpose: OneTimeTokenPurpose,
  now: Date,
): Promise<string> {
  const token = ports.secretTokens.generate();
  await ports.oneTimeTokens.insert({
    id: ports.ids.next(),
    userId,
    purpose,
    hash: ports.secretTokens.hash(token),
    expiresAt: new Date(now.getTime() + ONE_TIME_TOKEN_LIFETIME_MS[purpose]),
    createdAt: now,
  });
  return token;
}
