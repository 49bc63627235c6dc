import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Bulk invitations (src/bulk): a job and one row per CSV line. A row's result is written in the transaction
 * that invites it (guarded on `status = 'pending'`), so a resumed job never invites a row twice. The job's
 * counters move in the same transaction, so progress is exact after a crash too. Jobs are claimed under a lease
 * (claim_token, claimed_until) as outbox mails are.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('bulk_jobs')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull().primaryKey())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('total_rows', 'integer', (c) => c.notNull())
    .addColumn('processed_rows', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('invited_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reinvited_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failed_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('skipped_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('validation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('claim_token', 'text')
    .execute();
  await db.schema
    .createIndex('bulk_jobs_due_idx')
    .on('bulk_jobs')
    .columns(['status', 'claimed_until'])
    .execute();
  await db.schema
    .createIndex('bulk_jobs_tenant_idx')
    .on('bulk_jobs')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('bulk_job_rows')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text', (c) => c.notNull().references('bulk_jobs.id').onDelete('cascade'))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('redirect_url', 'text')
    .addColumn('message', 'text')
    .addColumn('language', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('error', 'text')
    .addColumn('processed_at', 'text')
    .addPrimaryKeyConstraint('bulk_job_rows_pk', ['job_id', 'row_number'])
    .execute();
  await db.schema
    .createIndex('bulk_job_rows_status_idx')
    .on('bulk_job_rows')
    .columns(['job_id', 'status', 'row_number'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('bulk_job_rows').ifExists().execute();
  await db.schema.dropTable('bulk_jobs').ifExists().execute();
}
