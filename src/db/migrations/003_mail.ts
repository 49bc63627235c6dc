import { type Kysely, sql } from 'kysely';

// Kysely migrations take Kysely<any>: the schema they build is not yet the typed one.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

/**
 * The durable mail outbox (PRODUCT §4.4): a mail is a row written in the same transaction as the state change
 * that caused it, then delivered by the worker (src/mail/worker.ts). Times are ISO-8601 UTC text, so the
 * "due" comparisons are plain text comparisons on both dialects.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('mail_outbox')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    // RFC 5322 Message-ID derived from id: a resend after a crash mid-send carries the same one.
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('from_address', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text')
    .addColumn('to_addresses', 'text', (c) => c.notNull())
    .addColumn('cc_addresses', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('reply_to_address', 'text')
    .addColumn('reply_to_name', 'text')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('claim_token', 'text')
    .addColumn('last_error', 'text')
    .addColumn('delivered_via', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('correlation_id', 'text')
    .addColumn('related_id', 'text')
    .addPrimaryKeyConstraint('mail_outbox_pk', ['tenant_id', 'id'])
    .addCheckConstraint('mail_outbox_status_check', sql`status in ('pending', 'sending', 'sent', 'failed')`)
    .execute();
  // Instance-level lookups by id (worker, dev mailbox); ids are UUIDs, unique across tenants.
  await db.schema.createIndex('mail_outbox_id_unique').on('mail_outbox').unique().column('id').execute();
  // "Enqueue this mail once": NULL keys never collide (both dialects treat NULLs as distinct).
  await db.schema
    .createIndex('mail_outbox_dedupe_unique')
    .on('mail_outbox')
    .unique()
    .columns(['tenant_id', 'dedupe_key'])
    .execute();
  // The worker's two questions: what is due, and whose lease has expired.
  await db.schema
    .createIndex('mail_outbox_due_idx')
    .on('mail_outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('mail_outbox_lease_idx')
    .on('mail_outbox')
    .columns(['status', 'claimed_until'])
    .execute();
  await db.schema
    .createIndex('mail_outbox_created_idx')
    .on('mail_outbox')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('mail_outbox_related_idx')
    .on('mail_outbox')
    .columns(['tenant_id', 'related_id'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('mail_outbox').ifExists().execute();
}
