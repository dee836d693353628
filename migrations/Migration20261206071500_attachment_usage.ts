import { Migration } from '@mikro-orm/migrations';

/**
 * A user's storage usage (the quota check on every upload, `GET /users/me`) sums the sizes of
 * the attachments they uploaded; the covering index answers it from the index alone.
 */
export class Migration20261206071500_attachment_usage extends Migration {
  override up(): void {
    this.addSql(
      'create index attachments_uploaded_by on attachments (uploaded_by) include (size_bytes);',
    );
  }

  override down(): void {
    this.addSql('drop index if exists attachments_uploaded_by;');
  }
}
