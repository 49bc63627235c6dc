import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * The sign-in log (src/signins): one row per sign-in attempt in the resource tenant. No foreign key to users:
 * like Entra's, the log outlives the user it names, and an attempt may name nobody (unknown account).
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('sign_ins')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('user_principal_name', 'text')
    .addColumn('user_display_name', 'text')
    .addColumn('app_id', 'text')
    .addColumn('app_display_name', 'text')
    .addColumn('ip_address', 'text', (c) => c.notNull())
    .addColumn('client_app_used', 'text')
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('error_code', 'integer', (c) => c.notNull())
    .addColumn('failure_reason', 'text')
    .addColumn('additional_details', 'text')
    .addColumn('home_tenant_id', 'text')
    .addColumn('cross_tenant_access_type', 'text', (c) => c.notNull())
    .addColumn('authentication_method', 'text', (c) => c.notNull())
    .addColumn('incoming_token_type', 'text', (c) => c.notNull())
    .addColumn('is_interactive', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('sign_ins_pk', ['tenant_id', 'id'])
    .execute();
  // Listing is newest first by (created_at, id) keyset; each filter Graph allows narrows by tenant, then its
  // value, and keeps the same order so a filtered page is an index range scan too.
  await db.schema
    .createIndex('sign_ins_time_idx')
    .on('sign_ins')
    .columns(['tenant_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('sign_ins_user_idx')
    .on('sign_ins')
    .columns(['tenant_id', 'user_id', 'created_at'])
    .execute();
  // userPrincipalName compares case-insensitively (lower() on both sides), so the index is on lower().
  await db.schema
    .createIndex('sign_ins_upn_idx')
    .on('sign_ins')
    .expression(sql`tenant_id, lower(user_principal_name), created_at`)
    .execute();
  await db.schema
    .createIndex('sign_ins_app_idx')
    .on('sign_ins')
    .columns(['tenant_id', 'app_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('sign_ins_error_idx')
    .on('sign_ins')
    .columns(['tenant_id', 'error_code', 'created_at'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('sign_ins').ifExists().execute();
}
