import type { OpenAPIHono } from '@hono/zod-openapi';
import { RequestContext } from '@mikro-orm/core';
import type { Container } from './container.ts';
import type { AppEnv } from './shared/http/app-env.ts';
import { createHttpApp } from './shared/http/create-app.ts';
import { operationsRoutes } from './shared/http/operations.routes.ts';

export const OPENAPI_INFO: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  info: {
    title: 'Task Manager API',
    version: '1.0.0',
    description:
      'Task management with identity, tasks, categories, comments, attachments and notifications. ' +
      'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`.',
    license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
  },
  servers: [{ url: '/', description: 'This server' }],
};

/** Builds the HTTP application from a container: middleware, every module's routes, the contract. */
export function buildApp(container: Container): OpenAPIHono<AppEnv> {
  const app = createHttpApp({
    logger: container.logger,
    metrics: container.metrics,
    corsOrigins: container.config.corsOrigins,
  });

  // Every API request works in its own EntityManager fork (allowGlobalContext is off).
  app.use('/api/*', (c, next) => RequestContext.create(container.orm.em, next));

  app.route(
    '/',
    operationsRoutes({
      version: container.version,
      metrics: container.metrics,
      checks: container.readinessChecks,
    }),
  );

  app.doc31('/openapi.json', OPENAPI_INFO);
  return app;
}

export function openApiDocument(app: OpenAPIHono<AppEnv>) {
  return app.getOpenAPI31Document(OPENAPI_INFO);
}
