import type { MiddlewareHandler } from 'hono';
import type { AuthEnv } from '../../shared/http/bearer-auth.ts';
import { adminProjectsRoutes } from './adapters/http/admin-projects.routes.ts';
import { attachmentsRoutes } from './adapters/http/attachments.routes.ts';
import { categoriesRoutes } from './adapters/http/categories.routes.ts';
import { commentsRoutes } from './adapters/http/comments.routes.ts';
import { membersRoutes } from './adapters/http/members.routes.ts';
import { projectsRoutes } from './adapters/http/projects.routes.ts';
import { invitationsRoutes } from './adapters/http/invitations.routes.ts';
import { tasksRoutes } from './adapters/http/tasks.routes.ts';
import type { TasksPorts } from './application/ports.ts';
import { createUseCases, type TasksUseCases } from './tasks.use-cases.ts';

export interface TasksModule {
  useCases: TasksUseCases;
  /** Routers to mount under `/api/v1`. */
  routes(options: {
    requireAuth: MiddlewareHandler<AuthEnv>;
  }): Array<ReturnType<typeof tasksRoutes>>;
}

/** The tasks use cases over the given ports, and their HTTP routes. */
export function createTasksModule(ports: TasksPorts): TasksModule {
  const useCases = createUseCases(ports);
  return {
    useCases,
    routes: ({ requireAuth }) =>
      [
        tasksRoutes,
        categoriesRoutes,
        commentsRoutes,
        attachmentsRoutes,
        projectsRoutes,
        membersRoutes,
        adminProjectsRoutes,
        invitationsRoutes,
      ].map((routes) => routes({ useCases, requireAuth, clock: ports.clock })),
  };
}
