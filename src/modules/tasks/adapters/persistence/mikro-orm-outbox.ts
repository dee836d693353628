import type { EntityManager } from '@mikro-orm/postgresql';
import { currentTraceCarrier } from '../../../../shared/infra/tracing.ts';
import type { IdGenerator } from '../../../../shared/domain/id-generator.ts';
import type { Outbox } from '../../application/ports.ts';
import type { WorkEvent } from '../../domain/task-events.ts';
import { OutboxEventRecord } from './tasks.entities.ts';

/** Appends events as rows of `outbox_events`, inside whatever transaction is current. */
export class MikroOrmOutbox implements Outbox {
  private readonly em: EntityManager;
  private readonly ids: IdGenerator;

  constructor(em: EntityManager, ids: IdGenerator) {
    this.em = em;
    this.ids = ids;
  }

  async append(events: readonly WorkEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.em.insertMany(
      OutboxEventRecord,
      events.map((event) => ({
        id: this.ids.next(),
        type: event.type,
        taskId: event.taskId,
        projectId: event.projectId,
        actorId: event.actorId,
        recipients: event.recipients,
        payload: event.payload,
        occurredAt: event.occurredAt,
        processedAt: null,
        attempts: 0,
        // The relay continues this request's trace from here (nothing when tracing is off).
        traceContext: currentTraceCarrier() ?? null,
      })),
    );
  }
}
