import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Sign-in and redemption (PRODUCT §1, §4.3): personal accounts (instance-level, owned by no tenant), browser
 * sessions, one-time codes mailed for passcodes, verification and password resets, password-failure counters,
 * and the time a guest consented to the resource tenant.
 */
export async function up(db: AnyDb): Promise<void> {
  // Instance-wide namespace, like Microsoft accounts: no tenant_id, one account per address.
  await db.schema
    .createTable('personal_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('preferred_language', 'text')
    .addColumn('account_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .execute();

  // A browser's sign-in at this instance (any instance serves any request). Only the keyed hash of the cookie
  // value is stored; `subject` names whose session it is, so a password reset or a disabled account ends them all.
  await db.schema
    .createTable('web_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('identity', 'text', (c) => c.notNull())
    .addColumn('amr', 'text', (c) => c.notNull())
    .addColumn('auth_time', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('web_sessions_subject_idx').on('web_sessions').column('subject').execute();
  await db.schema.createIndex('web_sessions_expiry_idx').on('web_sessions').column('expires_at').execute();

  // Codes mailed to an address: stored as keyed hashes, single use, a bounded number of tries each.
  await db.schema
    .createTable('one_time_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('consumed_at', 'text')
    .execute();
  await db.schema
    .createIndex('one_time_codes_lookup_idx')
    .on('one_time_codes')
    .columns(['purpose', 'email_lower', 'created_at'])
    .execute();

  // Password failures per account and client address: slow down, then lock for a while (counters in the
  // database, so every instance sees the same count).
  await db.schema
    .createTable('sign_in_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_failure_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();

  // "Review permissions" accepted by a guest (PRODUCT §4.3); null until then.
  await db.schema.alterTable('users').addColumn('consented_at', 'text').execute();
  // Graph's signInSessionsValidFromDateTime: sessions and refresh tokens from before it no longer work.
  await db.schema.alterTable('users').addColumn('sign_in_sessions_valid_from', 'text').execute();
  // Redemption looks invitations up by the ticket alone (the link names no tenant): ticket_hash is unique, so
  // already indexed; guests are found by identity through user_identities_unique.
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('users').dropColumn('sign_in_sessions_valid_from').execute();
  await db.schema.alterTable('users').dropColumn('consented_at').execute();
  await db.schema.dropTable('sign_in_failures').ifExists().execute();
  await db.schema.dropTable('one_time_codes').ifExists().execute();
  await db.schema.dropTable('web_sessions').ifExists().execute();
  await db.schema.dropTable('personal_accounts').ifExists().execute();
}
