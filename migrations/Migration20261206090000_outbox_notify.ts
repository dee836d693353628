import { Migration } from '@mikro-orm/migrations';

/**
 * Wakes the outbox relays the moment outbox rows commit: PostgreSQL delivers a NOTIFY only when
 * its transaction commits, and folds repeats within one transaction into one. A trigger, rather
 * than a NOTIFY next to each insert, covers every writer of the table.
 */
export class Migration20261206090000_outbox_notify extends Migration {
  override up(): void {
    this
      .addSql(`create or replace function outbox_events_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('outbox_events', '');
  return null;
end $$;`);
    this.addSql('drop trigger if exists outbox_events_notify on outbox_events;');
    this.addSql(`create trigger outbox_events_notify after insert on outbox_events
  for each statement execute function outbox_events_notify();`);
  }

  override down(): void {
    this.addSql('drop trigger if exists outbox_events_notify on outbox_events;');
    this.addSql('drop function if exists outbox_events_notify();');
  }
}
