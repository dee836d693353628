import { buildApp, openApiDocument } from './app.ts';
import { loadConfig } from './config.ts';
import { buildContainer } from './container.ts';
import { createLogger } from './shared/infra/logger.ts';

/**
 * The contract as the routes generate it, serialised as committed in `openapi/openapi.json`.
 * Built from a container that never connects: generating the document needs no database.
 */
export async function renderOpenApiDocument(): Promise<string> {
  const container = buildContainer(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }), {
    logger: createLogger({ level: 'silent' }),
  });
  try {
    return `${JSON.stringify(openApiDocument(buildApp(container)), null, 2)}\n`;
  } finally {
    await container.close();
  }
}
