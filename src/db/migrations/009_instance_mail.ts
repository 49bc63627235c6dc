import { type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Mail that belongs to no tenant (a personal account's sign-up code, PRODUCT §1: personal accounts are owned by
 * no tenant): the outbox is keyed by its id alone (already unique), and `tenant_id` may be null. PostgreSQL alters
 * the table in place; SQLite cannot drop a NOT NULL or a primary key, so it rebuilds the table.
 */
export async function up(db: AnyDb): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`alter table mail_outbox drop constraint mail_outbox_pk`.execute(db);
    await sql`alter table mail_outbox alter column tenant_id drop not null`.execute(db);
    await sql`alter table mail_outbox add constraint mail_outbox_pk primary key (id)`.execute(db);
    return;
  }
  const columns = [
    'tenant_id',
    'id',
    'message_id',
    'category',
    'from_address',
    'from_name',
    'to_addresses',
    'cc_addresses',
    'reply_to_address',
    'reply_to_name',
    'subject',
    'html_body',
    'text_body',
    'language',
    'headers',
    'status',
    'attempts',
    'next_attempt_at',
    'claimed_until',
    'claim_token',
    'last_error',
    'delivered_via',
    'created_at',
    'sent_at',
    'dedupe_key',
    'correlation_id',
    'related_id',
  ];
  await db.schema
    .createTable('mail_outbox_rekeyed')
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
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
    .addPrimaryKeyConstraint('mail_outbox_pk', ['id'])
    .addCheckConstraint('mail_outbox_status_check', sql`status in ('pending', 'sending', 'sent', 'failed')`)
    .execute();
  const list = sql.join(columns.map((column) => sql.ref(column)));
  await sql`insert into mail_outbox_rekeyed (${list}) select ${list} from mail_outbox`.execute(db);
  await db.schema.dropTable('mail_outbox').execute();
  await db.schema.alterTable('mail_outbox_rekeyed').renameTo('mail_outbox').execute();
  // The indexes of 003_mail, on the new table (the id's unique index is the primary key now).
  await db.schema
    .createIndex('mail_outbox_dedupe_unique')
    .on('mail_outbox')
    .unique()
    .columns(['tenant_id', 'dedupe_key'])
    .execute();
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

export async function down(): Promise<void> {
  throw new Error('009_instance_mail cannot be undone: instance mails have no tenant to go back to.');
}
