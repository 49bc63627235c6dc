import { type Kysely, sql } from 'kysely';

// Kysely migrations take Kysely<any>: the schema they build is not yet the typed one.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

/**
 * OpenID Connect storage: oidc-provider's artefacts (sessions, grants, codes, refresh tokens, interactions…)
 * and the per-tenant signing keys. Portable on purpose: text columns, JSON as text, expiry as epoch seconds.
 */
export async function up(db: AnyDb): Promise<void> {
  // One row per oidc-provider model instance ("Session", "Grant", "AuthorizationCode", …). Clients are not
  // stored here: they are the directory's applications (src/oidc/clients.ts).
  await db.schema
    .createTable('oidc_payloads')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text')
    .addColumn('user_code', 'text')
    .addColumn('uid', 'text')
    // Epoch seconds; null for artefacts without a lifetime.
    .addColumn('expires_at', 'bigint')
    .addColumn('consumed_at', 'bigint')
    .addPrimaryKeyConstraint('oidc_payloads_pk', ['tenant_id', 'model', 'id'])
    .execute();
  // Adapter#findByUid (sessions), #findByUserCode (device flow), #revokeByGrantId.
  await db.schema
    .createIndex('oidc_payloads_uid_idx')
    .on('oidc_payloads')
    .columns(['tenant_id', 'model', 'uid'])
    .where(sql.ref('uid'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('oidc_payloads_user_code_idx')
    .on('oidc_payloads')
    .columns(['tenant_id', 'model', 'user_code'])
    .where(sql.ref('user_code'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('oidc_payloads_grant_idx')
    .on('oidc_payloads')
    .columns(['tenant_id', 'grant_id'])
    .where(sql.ref('grant_id'), 'is not', null)
    .execute();
  // The purge job deletes expired rows across tenants.
  await db.schema.createIndex('oidc_payloads_expires_idx').on('oidc_payloads').column('expires_at').execute();

  await db.schema
    .createTable('oidc_signing_keys')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    // AES-256-GCM under a key derived from FOYER_SECRET (src/oidc/key-encryption.ts); never plaintext.
    .addColumn('private_jwk_encrypted', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text')
    .addPrimaryKeyConstraint('oidc_signing_keys_pk', ['tenant_id', 'kid'])
    .execute();
  // Exactly one current (unretired) key per tenant: two instances generating a tenant's first key at once, or
  // two concurrent rotations, cannot both win.
  await db.schema
    .createIndex('oidc_signing_keys_current_unique')
    .on('oidc_signing_keys')
    .column('tenant_id')
    .unique()
    .where(sql.ref('retired_at'), 'is', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('oidc_signing_keys').ifExists().execute();
  await db.schema.dropTable('oidc_payloads').ifExists().execute();
}
