import { stringify } from 'yaml';
import { liveAsyncApiDocument } from './modules/notifications/adapters/http/live.asyncapi.ts';
import { OPENAPI_INFO } from './app.ts';

/** The WebSocket contract, serialised as committed in `openapi/asyncapi.yaml`. */
export function renderAsyncApiDocument(): string {
  return stringify(liveAsyncApiDocument(OPENAPI_INFO.info.version), { lineWidth: 100 });
}
