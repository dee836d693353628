/** The identity module as other modules see it: who is calling, and nothing about how. */
export { Authenticate } from './application/authenticate.ts';
export type {
  AuthenticatedPrincipal,
  AuthenticateError,
  AuthenticateInput,
} from './application/authenticate.ts';
export type { Role } from './domain/role.ts';
