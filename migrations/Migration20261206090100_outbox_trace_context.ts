import { Migration } from '@mikro-orm/migrations';

/**
 * The trace context of the request that wrote an outbox row (W3C `traceparent`/`tracestate`), so
 * the relay, the reminder job and the WebSocket push continue that request's trace. Null when the
 * writer was not traced.
 */
export class Migration20261206090100_outbox_trace_context extends Migration {
  override up(): void {
    this.addSql('alter table outbox_events add column if not exists trace_context jsonb;');
  }

  override down(): void {
    this.addSql('alter table outbox_events drop column if exists trace_context;');
  }
}
