import type { DeliveryPayload } from '../../domain/delivery.ts';
import type { DeliveryType } from '../../domain/webhook.ts';

/** The body a delivery sends: the event as a notification shows it, at the event's time. */
export function payloadOf(event: {
  id: string;
  type: DeliveryType;
  taskId: string | null;
  projectId: string | null;
  actorId: string | null;
  data: Readonly<Record<string, unknown>>;
  occurredAt: Date;
}): DeliveryPayload {
  const at = event.occurredAt.toISOString();
  return {
    type: event.type,
    timestamp: at,
    data: {
      id: event.id,
      type: event.type,
      task_id: event.taskId,
      project_id: event.projectId,
      actor_id: event.actorId,
      data: event.data,
      created_at: at,
    },
  };
}
