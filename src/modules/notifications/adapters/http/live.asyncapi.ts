import { z } from '@hono/zod-openapi';
import {
  CLOSE,
  DEFAULT_CLIENT_FRAMES,
  DEFAULT_HEARTBEAT_MS,
  WS_MAX_CLIENT_MESSAGE_BYTES,
} from '../realtime/ws-gateway.ts';
import { NotificationFrameSchema } from './notifications.schemas.ts';
import { LiveQuery } from './live.routes.ts';

/** JSON Schema draft-07 (what AsyncAPI 3.0 schemas build on) of a zod schema the code uses. */
const draft7 = (schema: z.ZodType, io: 'input' | 'output' = 'output') => {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'throw' });
  // The document states the schema format once; a `$schema` inside a payload is noise.
  delete json.$schema;
  return json;
};

/**
 * The AsyncAPI 3.0 description of GET /api/v1/ws, built from the zod schemas that type the
 * frames the server sends and the query it reads. `npm run openapi` writes it to
 * openapi/asyncapi.yaml beside the OpenAPI document; a test fails when the file is stale.
 */
export function liveAsyncApiDocument(version: string) {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Task Manager API: live notifications',
      version,
      description:
        'A WebSocket that pushes the caller’s notifications as they are stored. Open it with ' +
        '`GET /api/v1/ws` (operation `openNotificationSocket` in openapi.json): with ' +
        '`Authorization: Bearer <access token>`, or from a browser with `?ticket=` from ' +
        '`POST /api/v1/ws/tickets`. A refused upgrade is an ordinary HTTP answer with an ' +
        '`application/problem+json` body (400 bad query or unknown `after`, 401 no valid token ' +
        'or ticket, 403 an `Origin` outside CORS_ORIGINS, 426 not an upgrade).',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    defaultContentType: 'application/json',
    servers: {
      api: {
        host: 'localhost:3000',
        protocol: 'ws',
        description: 'This server (`wss` behind TLS).',
        security: [
          { $ref: '#/components/securitySchemes/bearer' },
          { $ref: '#/components/securitySchemes/ticket' },
        ],
      },
    },
    channels: {
      notifications: {
        address: '/api/v1/ws',
        title: 'The caller’s notifications',
        description:
          'Text frames, each one JSON message; the server sends no other data frames and ' +
          'ignores what the client sends (a message over ' +
          `${WS_MAX_CLIENT_MESSAGE_BYTES} bytes closes the socket with 1009; more than ` +
          `${DEFAULT_CLIENT_FRAMES.burst} frames at once, or ${DEFAULT_CLIENT_FRAMES.perSecond} per ` +
          `second after that, with ${CLOSE.tooManyFrames}). Each notification ` +
          'comes once and in order; with `after`, first those stored after it. Control frames: ' +
          `the server pings every ${DEFAULT_HEARTBEAT_MS / 1000} s and drops a socket that did ` +
          'not answer the previous ping ' +
          '(or that falls too far behind). Close codes: ' +
          `${CLOSE.sessionEnded} when the session ends (logout, revocation, deactivation), ` +
          `${CLOSE.goingAway} when the server shuts down, 1009 for a client message too big, ` +
          `${CLOSE.socketLimit} for the user's oldest socket on an instance when one more than ` +
          '`WS_MAX_SOCKETS_PER_USER` (default 10) opens there. ' +
          'Reconnect with `after=<id of the last notification received>` to miss nothing.',
        servers: [{ $ref: '#/servers/api' }],
        messages: {
          notification: { $ref: '#/components/messages/notification' },
        },
        bindings: {
          ws: {
            method: 'GET',
            query: draft7(LiveQuery, 'input'),
            bindingVersion: '0.1.0',
          },
        },
      },
    },
    operations: {
      sendNotification: {
        action: 'send',
        title: 'Push a notification',
        summary: 'The server sends each stored notification of the caller.',
        channel: { $ref: '#/channels/notifications' },
        messages: [{ $ref: '#/channels/notifications/messages/notification' }],
      },
    },
    components: {
      messages: {
        notification: {
          name: 'notification',
          title: 'A notification',
          summary:
            '`{ "type": "notification", "data": Notification }`; `data` is the same object as ' +
            'in GET /api/v1/notifications.',
          contentType: 'application/json',
          payload: draft7(NotificationFrameSchema),
        },
      },
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'The access token in the upgrade request’s `Authorization` header.',
        },
        ticket: {
          type: 'httpApiKey',
          name: 'ticket',
          in: 'query',
          description: 'A single-use ticket from POST /api/v1/ws/tickets (30 s).',
        },
      },
    },
  };
}
