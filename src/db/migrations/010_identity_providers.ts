import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Identity providers per tenant (issue 9): generic OpenID Connect and the Google preset. The issuer is unique per
 * tenant, so a guest's `identities` entry (issuer + sub) names exactly one provider. The email domains a provider
 * serves are rows of their own, so "one provider per domain in a tenant" is a unique key, not a check that races.
 * `federation_states` holds an authorization request toward an IdP until its callback: single use, short-lived.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('metadata_url', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('response_type', 'text', (c) => c.notNull())
    .addColumn('claims_mapping', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_providers_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('identity_providers_issuer_idx')
    .unique()
    .on('identity_providers')
    .expression(sql`tenant_id, lower(issuer)`)
    .execute();
  await db.schema
    .createTable('identity_provider_domains')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_provider_domains_pk', ['tenant_id', 'domain'])
    .addForeignKeyConstraint(
      'identity_provider_domains_provider_fk',
      ['tenant_id', 'provider_id'],
      'identity_providers',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createTable('federation_states')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('provider_id', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('federation_states_expiry_idx')
    .on('federation_states')
    .column('expires_at')
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('federation_states').ifExists().execute();
  await db.schema.dropTable('identity_provider_domains').ifExists().execute();
  await db.schema.dropTable('identity_providers').ifExists().execute();
}
