import { AdminListUsers } from './application/admin-list-users.ts';
import { AdminUpdateUser } from './application/admin-update-user.ts';
import { Authenticate } from './application/authenticate.ts';
import { CreateAccessToken } from './application/create-access-token.ts';
import { ChangePassword } from './application/change-password.ts';
import { GetProfile } from './application/get-profile.ts';
import { GrantAdmin } from './application/grant-admin.ts';
import { ListSessions } from './application/list-sessions.ts';
import { ListAccessTokens } from './application/list-access-tokens.ts';
import { LogIn } from './application/log-in.ts';
import { LogOutAll } from './application/log-out-all.ts';
import { LogOut } from './application/log-out.ts';
import type { IdentityPorts } from './application/ports.ts';
import { RefreshSession } from './application/refresh-session.ts';
import { RegisterUser } from './application/register-user.ts';
import { RequestPasswordReset } from './application/request-password-reset.ts';
import { ResendVerification } from './application/resend-verification.ts';
import { ResetPassword } from './application/reset-password.ts';
import { RevokeAccessToken } from './application/revoke-access-token.ts';
import { RevokeSession } from './application/revoke-session.ts';
import { UpdateProfile } from './application/update-profile.ts';
import { VerifyEmail } from './application/verify-email.ts';

export type IdentityUseCases = ReturnType<typeof createUseCases>;

/** One instance of every identity use case over the given ports. */
export function createUseCases(ports: IdentityPorts) {
  return {
    registerUser: new RegisterUser(ports),
    logIn: new LogIn(ports),
    refreshSession: new RefreshSession(ports),
    logOut: new LogOut(ports),
    logOutAll: new LogOutAll(ports),
    listSessions: new ListSessions(ports),
    revokeSession: new RevokeSession(ports),
    verifyEmail: new VerifyEmail(ports),
    resendVerification: new ResendVerification(ports),
    requestPasswordReset: new RequestPasswordReset(ports),
    resetPassword: new ResetPassword(ports),
    changePassword: new ChangePassword(ports),
    getProfile: new GetProfile(ports),
    updateProfile: new UpdateProfile(ports),
    adminListUsers: new AdminListUsers(ports),
    adminUpdateUser: new AdminUpdateUser(ports),
    authenticate: new Authenticate(ports),
    grantAdmin: new GrantAdmin(ports),
    createAccessToken: new CreateAccessToken(ports),
    listAccessTokens: new ListAccessTokens(ports),
    revokeAccessToken: new RevokeAccessToken(ports),
  };
}
