import { continueTraces } from '../../../../shared/infra/tracing.ts';
import type { EventTrace, EventTracing, OutboxEvent } from '../../application/ports.ts';

/** OpenTelemetry spans for relayed batches, continuing the traces stored with the outbox rows. */
export class OtelEventTracing implements EventTracing {
  start(events: readonly OutboxEvent[]): EventTrace {
    return continueTraces(
      'outbox.relay',
      events.map((event) => event.traceContext),
      {
        'messaging.system': 'postgresql-outbox',
        'messaging.batch.message_count': events.length,
        'outbox.event.types': [...new Set(events.map((event) => event.type))],
      },
    );
  }
}
