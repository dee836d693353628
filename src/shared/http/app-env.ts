import type { Logger } from '../infra/logger.ts';

/** Per-request values every handler may read. Modules extend this with their own variables. */
export interface AppVariables {
  requestId: string;
  logger: Logger;
  userId?: string;
}

export interface AppEnv {
  Variables: AppVariables;
}
