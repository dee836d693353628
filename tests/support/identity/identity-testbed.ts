import { InMemoryUnknownLoginAttempts } from './in-memory-unknown-login-attempts.ts';
import type { IdentityPorts } from '../../../src/modules/identity/application/ports.ts';
import { newSession } from '../../../src/modules/identity/domain/session.ts';
import type { User } from '../../../src/modules/identity/domain/user.ts';
import { FakeAccessTokenService } from './fake-access-token-service.ts';
import { FakePasswordHasher } from './fake-password-hasher.ts';
import { FakeSecretTokens } from './fake-secret-tokens.ts';
import { FixedClock } from './fixed-clock.ts';
import { InMemoryAccessTokenRepository } from './in-memory-access-token-repository.ts';
import { InMemoryOneTimeTokenRepository } from './in-memory-one-time-token-repository.ts';
import { InMemoryRateLimiter } from './in-memory-rate-limiter.ts';
import { InMemorySessionRepository } from './in-memory-session-repository.ts';
import { InMemorySessionStatusCache } from './in-memory-session-status-cache.ts';
import { InMemoryUserRepository } from './in-memory-user-repository.ts';
import { PassThroughTransactions } from './pass-through-transactions.ts';
import { plainMails, RecordingMailer } from './recording-mailer.ts';
import { RecordingFailureReporter } from './recording-failure-reporter.ts';
import { SequentialIds } from './sequential-ids.ts';

/** Usage as a test sets it; the real count is the tasks module's, tested there. */
export class FixedStorageUsage {
  static readonly QUOTA_BYTES = 1_000_000;
  readonly used = new Map<string, number>();

  async of(userId: string): Promise<{ usedBytes: number; quotaBytes: number }> {
    return { usedBytes: this.used.get(userId) ?? 0, quotaBytes: FixedStorageUsage.QUOTA_BYTES };
  }
}

/** Which accounts were set up (their Inbox, in the service); the real setup is the tasks module's. */
export class RecordingAccountSetup {
  readonly prepared: string[] = [];

  async prepare(userId: string): Promise<void> {
    this.prepared.push(userId);
  }
}

/** A handful of entries is enough to exercise the rule; the real list has its own test. */
export const COMMON_PASSWORDS = new Set([
  'password',
  'password1',
  '12345678',
  'qwerty123',
  'iloveyou',
]);

/** Every identity port as an in-memory fake, typed concretely so tests can inspect them. */
export function identityTestbed() {
  const clock = new FixedClock();
  const users = new InMemoryUserRepository();
  const ports = {
    users,
    sessions: new InMemorySessionRepository(
      async (userId) => (await users.findById(userId))?.isActive === true,
    ),
    personalTokens: new InMemoryAccessTokenRepository(async (userId) => users.findById(userId)),
    oneTimeTokens: new InMemoryOneTimeTokenRepository(),
    passwordHasher: new FakePasswordHasher(),
    accessTokens: new FakeAccessTokenService(),
    secretTokens: new FakeSecretTokens(),
    sessionStatus: new InMemorySessionStatusCache(),
    mailer: new RecordingMailer(),
    mails: plainMails,
    ids: new SequentialIds(),
    clock,
    transactions: new PassThroughTransactions(),
    rateLimiter: new InMemoryRateLimiter(clock),
    unknownLogins: new InMemoryUnknownLoginAttempts(),
    commonPasswords: COMMON_PASSWORDS,
    failures: new RecordingFailureReporter(),
    storageUsage: new FixedStorageUsage(),
    accountSetup: new RecordingAccountSetup(),
  } satisfies IdentityPorts;

  /** Stores a live session for `user` whose current refresh token is returned. */
  async function openSession(user: User, id = `session-${ports.ids.next()}`) {
    const refreshToken = ports.secretTokens.generate();
    await ports.sessions.insert(
      newSession({ id, userId: user.id, now: clock.now() }),
      ports.secretTokens.hash(refreshToken),
    );
    const access = await ports.accessTokens.issue(
      { userId: user.id, sessionId: id, role: user.role },
      clock.now(),
    );
    return {
      sessionId: id,
      refreshToken,
      accessToken: access.token,
      principal: { userId: user.id, sessionId: id, role: user.role },
    };
  }

  return { ...ports, ports, openSession };
}

export type IdentityTestbed = ReturnType<typeof identityTestbed>;
