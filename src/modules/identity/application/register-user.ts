import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { parseEmail } from '../domain/email.ts';
import { parseFullName } from '../domain/full-name.ts';
import type { IdentityErrorOf } from '../domain/identity.errors.ts';
import { checkPassword } from '../domain/password-policy.ts';
import { User } from '../domain/user.ts';
import { sendBestEffort } from './support/deliveries.ts';
import { issueOneTimeToken } from './support/one-time-tokens.ts';
import type { IdentityPorts } from './ports.ts';
import { startSession, type ClientInfo, type SessionTokens } from './support/start-session.ts';

export interface RegisterUserInput extends ClientInfo {
  email: string;
  password: string;
  fullName: string;
}

export interface RegisterUserOutput extends SessionTokens {
  user: User;
}

export type RegisterUserError = IdentityErrorOf<'ValidationFailed' | 'WeakPassword' | 'EmailTaken'>;

type Ports = Pick<
  IdentityPorts,
  | 'users'
  | 'sessions'
  | 'oneTimeTokens'
  | 'passwordHasher'
  | 'accessTokens'
  | 'secretTokens'
  | 'mailer'
  | 'mails'
  | 'ids'
  | 'clock'
  | 'transactions'
  | 'commonPasswords'
  | 'failures'
  | 'accountSetup'
>;

/** Creates an account, signs it in, and mails the address a verification link. */
export class RegisterUser {
  private readonly ports: Ports;

  constructor(ports: Ports) {
    this.ports = ports;
  }

  execute(input: RegisterUserInput): ResultAsync<RegisterUserOutput, RegisterUserError> {
    return new ResultAsync(this.register(input));
  }

  private async register(
    input: RegisterUserInput,
  ): Promise<Result<RegisterUserOutput, RegisterUserError>> {
    const { ports } = this;
    const email = parseEmail(input.email);
    if (email.isErr()) return err(email.error);
    const fullName = parseFullName(input.fullName);
    if (fullName.isErr()) return err(fullName.error);
    const policy = checkPassword(input.password, {
      email: email.value,
      commonPasswords: ports.commonPasswords,
    });
    if (policy.isErr()) return err(policy.error);

    // Hashing is deliberately slow, so it happens before the transaction opens.
    const passwordHash = await ports.passwordHasher.hash(input.password);
    const now = ports.clock.now();
    const user = User.register({
      id: ports.ids.next(),
      email: email.value,
      fullName: fullName.value,
      passwordHash,
      now,
    });
    const created = await ports.transactions.run(async () => {
      if (!(await ports.users.insert(user))) return undefined;
      await ports.accountSetup.prepare(user.id);
      const verificationToken = await issueOneTimeToken(ports, user.id, 'verify_email', now);
      const tokens = await startSession(ports, user, input, now);
      return { verificationToken, tokens };
    });
    if (!created) return err({ type: 'EmailTaken' });

    // Mailed after the commit, so no link ever points at an account that was rolled back.
    const message = ports.mails.verification(user.email, user.fullName, created.verificationToken);
    await sendBestEffort(ports, message, { operation: 'register_user', userId: user.id });
    return ok({ user, ...created.tokens });
  }
}
