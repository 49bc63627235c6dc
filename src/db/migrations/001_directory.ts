import { type Kysely, sql } from 'kysely';

// Kysely migrations take Kysely<any>: the schema they build is not yet the typed one.
// biome-ignore lint/suspicious/noExplicitAny: see above
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('tenants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('default_domain', 'text', (c) => c.notNull().unique())
    .addColumn('default_language', 'text', (c) => c.notNull())
    .addColumn('logo_url', 'text')
    .addColumn('privacy_statement_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // A domain belongs to at most one tenant on the instance, verified or not.
  await db.schema
    .createTable('tenant_domains')
    .addColumn('domain', 'text', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('verification_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('verified_at', 'text')
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('given_name', 'text')
    .addColumn('surname', 'text')
    .addColumn('mail', 'text')
    .addColumn('other_mails', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('user_principal_name', 'text', (c) => c.notNull())
    .addColumn('mail_nickname', 'text', (c) => c.notNull())
    .addColumn('user_type', 'text', (c) => c.notNull())
    .addColumn('account_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('preferred_language', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('creation_type', 'text')
    .addColumn('external_user_state', 'text')
    .addColumn('external_user_state_changed_at', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('job_title', 'text')
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id'])
    .execute();
  // UPNs are unique per tenant, compared case-insensitively (Graph semantics).
  await db.schema
    .createIndex('users_upn_unique')
    .on('users')
    .unique()
    .expression(sql`tenant_id, lower(user_principal_name)`)
    .execute();
  await db.schema.createIndex('users_mail_idx').on('users').expression(sql`tenant_id, lower(mail)`).execute();
  // Collections page in lower(displayName), id order (OData keyset paging); these serve the common lists.
  await db.schema
    .createIndex('users_display_name_idx')
    .on('users')
    .expression(sql`tenant_id, lower(display_name), id`)
    .execute();
  await db.schema
    .createIndex('users_type_idx')
    .on('users')
    .expression(sql`tenant_id, user_type, lower(display_name), id`)
    .execute();

  // The pair issuer + issuerAssignedId identifies one user per tenant.
  await db.schema
    .createTable('user_identities')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sign_in_type', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('issuer_assigned_id', 'text', (c) => c.notNull())
    .addForeignKeyConstraint(
      'user_identities_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('user_identities_unique')
    .on('user_identities')
    .unique()
    .expression(sql`tenant_id, lower(issuer), lower(issuer_assigned_id)`)
    .execute();
  await db.schema
    .createIndex('user_identities_user_idx')
    .on('user_identities')
    .columns(['tenant_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('user_sponsors')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('sponsor_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_sponsors_pk', ['tenant_id', 'user_id', 'sponsor_id'])
    .addForeignKeyConstraint(
      'user_sponsors_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('mail_nickname', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('groups_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('groups_display_name_idx')
    .on('groups')
    .expression(sql`tenant_id, lower(display_name), id`)
    .execute();

  for (const [table, column] of [
    ['group_members', 'member_id'],
    ['group_owners', 'owner_id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('group_id', 'text', (c) => c.notNull())
      .addColumn(column, 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['tenant_id', 'group_id', column])
      .addForeignKeyConstraint(
        `${table}_group_fk`,
        ['tenant_id', 'group_id'],
        'groups',
        ['tenant_id', 'id'],
        (c) => c.onDelete('cascade'),
      )
      .addForeignKeyConstraint(`${table}_user_fk`, ['tenant_id', column], 'users', ['tenant_id', 'id'], (c) =>
        c.onDelete('cascade'),
      )
      .execute();
    await db.schema.createIndex(`${table}_user_idx`).on(table).columns(['tenant_id', column]).execute();
  }

  await db.schema
    .createTable('applications')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    // appId is the OAuth client id: unique across the instance, so the token endpoint can find its tenant.
    .addColumn('app_id', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('sign_in_audience', 'text', (c) => c.notNull())
    .addColumn('web_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('spa_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('public_client_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('app_roles', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('applications_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('applications_display_name_idx')
    .on('applications')
    .expression(sql`tenant_id, lower(display_name), id`)
    .execute();

  await db.schema
    .createTable('application_passwords')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text')
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('start_date_time', 'text', (c) => c.notNull())
    .addColumn('end_date_time', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_passwords_pk', ['tenant_id', 'application_id', 'key_id'])
    .addForeignKeyConstraint(
      'application_passwords_app_fk',
      ['tenant_id', 'application_id'],
      'applications',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('application_permissions')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('application_id', 'text', (c) => c.notNull())
    .addColumn('permission', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('application_permissions_pk', ['tenant_id', 'application_id', 'permission'])
    .addForeignKeyConstraint(
      'application_permissions_app_fk',
      ['tenant_id', 'application_id'],
      'applications',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('directory_role_assignments')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_role_assignments_pk', ['tenant_id', 'user_id', 'role'])
    .addForeignKeyConstraint(
      'directory_role_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();

  await db.schema
    .createTable('policies')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('policy_type', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policies_pk', ['tenant_id', 'policy_type'])
    .execute();

  await db.schema
    .createTable('audit_logs')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('activity_date_time', 'text', (c) => c.notNull())
    .addColumn('activity_display_name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('operation_type', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('result_reason', 'text', (c) => c.notNull())
    .addColumn('logged_by_service', 'text', (c) => c.notNull())
    .addColumn('correlation_id', 'text', (c) => c.notNull())
    .addColumn('initiated_by', 'text', (c) => c.notNull())
    .addColumn('target_resources', 'text', (c) => c.notNull())
    .addColumn('additional_details', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('audit_logs_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createIndex('audit_logs_time_idx')
    .on('audit_logs')
    .columns(['tenant_id', 'activity_date_time', 'id'])
    .execute();

  await db.schema
    .createTable('operator_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('instance_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'instance_settings',
    'operator_tokens',
    'audit_logs',
    'policies',
    'directory_role_assignments',
    'application_permissions',
    'application_passwords',
    'applications',
    'group_owners',
    'group_members',
    'groups',
    'user_sponsors',
    'user_identities',
    'users',
    'tenant_domains',
    'tenants',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
