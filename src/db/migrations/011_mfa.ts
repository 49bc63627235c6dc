import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * MFA (PRODUCT §6): a TOTP method per user object of the tenant that requires it, its recovery codes, which
 * browser sessions already passed a tenant's MFA, the tenant's inbound trust per partner tenant, and how the
 * sign-in log says MFA was met.
 */
export async function up(db: AnyDb): Promise<void> {
  // One method per user object (the unique index): enrolment inserts a pending one, the first code activates it
  // with a guarded update. `last_used_step` is the last accepted TOTP time step: a code is refused unless its
  // step is newer (RFC 6238 §5.2, one use per code).
  await db.schema
    .createTable('mfa_methods')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('secret_encrypted', 'text', (c) => c.notNull())
    .addColumn('last_used_step', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('activated_at', 'text')
    .addPrimaryKeyConstraint('mfa_methods_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint(
      'mfa_methods_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('mfa_methods_user_idx')
    .on('mfa_methods')
    .columns(['tenant_id', 'user_id'])
    .unique()
    .execute();

  // Single-use recovery codes, stored as keyed hashes (they are high-entropy random values).
  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('mfa_recovery_codes_pk', ['tenant_id', 'user_id', 'code_hash'])
    .addForeignKeyConstraint(
      'mfa_recovery_codes_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  // A browser session (keyed hash of its cookie) that passed a tenant's MFA: the next app of that tenant in the
  // same session does not ask again. `user_id` lets an administrator's reset forget it.
  await db.schema
    .createTable('web_session_mfa')
    .addColumn('session_hash', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('satisfied_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('web_session_mfa_pk', ['session_hash', 'tenant_id'])
    .execute();
  await db.schema
    .createIndex('web_session_mfa_user_idx')
    .on('web_session_mfa')
    .columns(['tenant_id', 'user_id'])
    .execute();

  // crossTenantAccessPolicy/partners: inbound trust of a partner tenant's MFA (Graph's inboundTrust).
  await db.schema
    .createTable('cross_tenant_partners')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('partner_tenant_id', 'text', (c) => c.notNull())
    .addColumn('is_mfa_accepted', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cross_tenant_partners_pk', ['tenant_id', 'partner_tenant_id'])
    .execute();

  // The sign-in log says whether MFA was required and how it was met (Graph beta authenticationRequirement and
  // mfaDetail; `mfa_source` is Foyer's: resourceTenant or homeTenant).
  await db.schema
    .alterTable('sign_ins')
    .addColumn('authentication_requirement', 'text', (c) =>
      c.notNull().defaultTo('singleFactorAuthentication'),
    )
    .execute();
  await db.schema.alterTable('sign_ins').addColumn('mfa_source', 'text').execute();
  await db.schema.alterTable('sign_ins').addColumn('mfa_method', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('sign_ins').dropColumn('mfa_method').execute();
  await db.schema.alterTable('sign_ins').dropColumn('mfa_source').execute();
  await db.schema.alterTable('sign_ins').dropColumn('authentication_requirement').execute();
  await db.schema.dropTable('cross_tenant_partners').ifExists().execute();
  await db.schema.dropTable('web_session_mfa').ifExists().execute();
  await db.schema.dropTable('mfa_recovery_codes').ifExists().execute();
  await db.schema.dropTable('mfa_methods').ifExists().execute();
}
