import { Migration } from '@mikro-orm/migrations';

/** Extensions the schema relies on: pg_trgm backs substring search indexes. */
export class Migration20261122000000_initial extends Migration {
  override up(): void {
    this.addSql('create extension if not exists pg_trgm;');
  }

  override down(): void {
    this.addSql('drop extension if exists pg_trgm;');
  }
}
