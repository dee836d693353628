/** The identity module as other modules see it: who is calling, and whether their session lives. */
export type { LiveSessionCheck, SessionPrincipal } from './application/support/live-sessions.ts';
export type { UserLookup } from './application/ports.ts';
/** Users by address, and the mailer, for other modules' adapters (wired by the composition root). */
export type { MailMessage, Mailer, UserAddressBook } from './application/ports.ts';
/** The identity tables' row types, for typed queries of other modules that join them (no values). */
export type { IdentityTables } from './adapters/persistence/identity.entities.ts';
/** What a valid account address is, for other modules' request schemas. */
export { EMAIL_PATTERN } from './domain/email.ts';
