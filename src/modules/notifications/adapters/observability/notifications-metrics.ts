import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RelayOutboxOutput } from '../../application/relay-outbox.ts';
import type { ReminderWorkerHooks } from '../reminders/bullmq-reminder-worker.ts';
import type { WsGatewayHooks } from '../realtime/ws-gateway.ts';

export interface NotificationsMetrics {
  gateway: WsGatewayHooks;
  reminders: ReminderWorkerHooks;
  relayed(outcome: RelayOutboxOutput, now: Date): void;
}

/** The module's gauges, counters and histograms, on the container's registry. */
export function createNotificationsMetrics(registry: Registry): NotificationsMetrics {
  const registers = [registry];
  const sockets = new Gauge({
    name: 'ws_connections',
    help: 'Open notification WebSockets on this instance.',
    registers,
  });
  const delivered = new Counter({
    name: 'ws_notifications_delivered_total',
    help: 'Notifications sent over WebSockets, by type.',
    labelNames: ['type'] as const,
    registers,
  });
  const dropped = new Counter({
    name: 'ws_disconnects_total',
    help:
      'WebSockets the server closed: slow (send buffer full), dead (no pong), error, session (ended), ' +
      'socket_limit (the oldest past WS_MAX_SOCKETS_PER_USER), flood (too many client frames).',
    labelNames: ['reason'] as const,
    registers,
  });
  const refused = new Counter({
    name: 'ws_upgrades_refused_total',
    help: 'WebSocket upgrade requests refused before the upgrade, by HTTP status (429: rate limited).',
    labelNames: ['status'] as const,
    registers,
  });
  const outboxLag = new Histogram({
    name: 'outbox_lag_seconds',
    help: 'Seconds from an outbox event to its processing by the relay.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const outboxEvents = new Counter({
    name: 'outbox_events_total',
    help: 'Outbox events the relay handled, by outcome (processed, failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const created = new Counter({
    name: 'notifications_created_total',
    help: 'Notifications stored, by type.',
    labelNames: ['type'] as const,
    registers,
  });
  const lateness = new Histogram({
    name: 'reminder_lateness_seconds',
    help: 'Seconds between a reminder time and its task.due_soon notifications.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
    registers,
  });
  const jobFailures = new Counter({
    name: 'reminder_job_failures_total',
    help: 'Reminder job runs that failed (each is retried with backoff).',
    registers,
  });

  return {
    gateway: {
      connected: (count) => sockets.set(count),
      sent: (notification) => delivered.inc({ type: notification.type }),
      dropped: (reason) => dropped.inc({ reason }),
      refused: (status) => refused.inc({ status: String(status) }),
    },
    reminders: {
      fired: (seconds, notifications) => {
        lateness.observe(Math.max(0, seconds));
        for (const n of notifications) created.inc({ type: n.type });
      },
      failed: () => jobFailures.inc(),
    },
    relayed(outcome, now) {
      if (outcome.processed > 0) outboxEvents.inc({ outcome: 'processed' }, outcome.processed);
      if (outcome.failed > 0) outboxEvents.inc({ outcome: 'failed' }, outcome.failed);
      for (const at of outcome.occurredAt) {
        outboxLag.observe(Math.max(0, (now.getTime() - at.getTime()) / 1000));
      }
      for (const n of outcome.notifications) created.inc({ type: n.type });
    },
  };
}
