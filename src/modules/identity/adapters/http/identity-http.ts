import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../../../shared/http/bearer-auth.ts';
import type { ClientIpResolver } from '../../../../shared/http/client-ip.ts';
import type { AdminListUsers } from '../../application/admin-list-users.ts';
import type { AdminUpdateUser } from '../../application/admin-update-user.ts';
import type { ChangePassword } from '../../application/change-password.ts';
import type { GetProfile } from '../../application/get-profile.ts';
import type { ListSessions } from '../../application/list-sessions.ts';
import type { LogInOutput, LogIn } from '../../application/log-in.ts';
import type { LogOutAll } from '../../application/log-out-all.ts';
import type { LogOut } from '../../application/log-out.ts';
import type { RefreshSession } from '../../application/refresh-session.ts';
import type { RegisterUser } from '../../application/register-user.ts';
import type { RequestPasswordReset } from '../../application/request-password-reset.ts';
import type { ResendVerification } from '../../application/resend-verification.ts';
import type { ResetPassword } from '../../application/reset-password.ts';
import type { RevokeSession } from '../../application/revoke-session.ts';
import type { UpdateProfile } from '../../application/update-profile.ts';
import type { VerifyEmail } from '../../application/verify-email.ts';
import type { CommonPasswordList } from '../../domain/password-policy.ts';
import { toTokenPairJson, toUserJson } from './identity.schemas.ts';

export interface IdentityUseCases {
  registerUser: RegisterUser;
  logIn: LogIn;
  refreshSession: RefreshSession;
  logOut: LogOut;
  logOutAll: LogOutAll;
  listSessions: ListSessions;
  revokeSession: RevokeSession;
  verifyEmail: VerifyEmail;
  resendVerification: ResendVerification;
  requestPasswordReset: RequestPasswordReset;
  resetPassword: ResetPassword;
  changePassword: ChangePassword;
  getProfile: GetProfile;
  updateProfile: UpdateProfile;
  adminListUsers: AdminListUsers;
  adminUpdateUser: AdminUpdateUser;
}

export interface IdentityHttpOptions {
  useCases: IdentityUseCases;
  /** Bearer authentication plus the per-user rate limit, for every authenticated route. */
  requireAuth: MiddlewareHandler<AuthEnv>;
  clientIp: ClientIpResolver;
  /** Starts work the answer does not wait for. */
  detach: (operation: string, work: () => Promise<unknown>) => void;
  /** The block list of the password policy, for judging a request completely before refusing it. */
  commonPasswords: CommonPasswordList;
}

/** Token responses must never be cached (RFC 6749 §5.1). */
export const NO_STORE = { 'Cache-Control': 'no-store' };

export function authResultJson(
  out: Pick<LogInOutput, 'user' | 'accessToken' | 'refreshToken' | 'expiresIn'>,
) {
  return { ...toTokenPairJson(out), user: toUserJson(out.user) };
}
