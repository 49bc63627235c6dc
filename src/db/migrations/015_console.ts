import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * The admin console and My Apps (src/console, src/myapps): a browser's signed-in portal sessions (one per
 * tenant, keyed by the hash of one cookie), form contents kept across a sign-in, and tenant logos served by
 * Foyer itself; and applications' home page URL (web.homePageUrl), what My Apps lists.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('portal_sessions')
    .addColumn('id_hash', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('id_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('portal_sessions_pk', ['id_hash', 'tenant_id'])
    .execute();
  await db.schema
    .createIndex('portal_sessions_expiry_idx')
    .on('portal_sessions')
    .column('expires_at')
    .execute();

  // A form posted after the session expired: its fields, until the person has signed in again (one use).
  await db.schema
    .createTable('portal_form_stash')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('fields', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tenant_logos')
    .addColumn('tenant_id', 'text', (c) => c.primaryKey().references('tenants.id').onDelete('cascade'))
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // Graph's web.homePageUrl: the address My Apps opens.
  await db.schema.alterTable('applications').addColumn('web_home_page_url', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('web_home_page_url').execute();
  await db.schema.dropTable('tenant_logos').execute();
  await db.schema.dropTable('portal_form_stash').execute();
  await db.schema.dropTable('portal_sessions').execute();
}
