import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // One invitation row per guest: it carries the redemption state and the current ticket. Resend and reset
  // replace the ticket hash, so an old link dies the moment a new one exists.
  await db.schema
    .createTable('invitations')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('invited_email', 'text', (c) => c.notNull())
    .addColumn('invited_display_name', 'text')
    .addColumn('invited_user_type', 'text', (c) => c.notNull())
    .addColumn('invite_redirect_url', 'text', (c) => c.notNull())
    .addColumn('message_info', 'text', (c) => c.notNull())
    .addColumn('send_invitation_message', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('ticket_hash', 'text', (c) => c.notNull().unique())
    .addColumn('inviter', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_sent_at', 'text')
    .addColumn('reminders_sent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('redeemed_at', 'text')
    .addPrimaryKeyConstraint('invitations_pk', ['tenant_id', 'id'])
    .addForeignKeyConstraint(
      'invitations_user_fk',
      ['tenant_id', 'user_id'],
      'users',
      ['tenant_id', 'id'],
      (c) => c.onDelete('cascade'),
    )
    .execute();
  await db.schema
    .createIndex('invitations_user_unique')
    .on('invitations')
    .unique()
    .columns(['tenant_id', 'user_id'])
    .execute();
  // "One pending invitation per email" is the database's rule, not an if in code.
  await db.schema
    .createIndex('invitations_pending_email_unique')
    .on('invitations')
    .unique()
    .expression(sql`tenant_id, lower(invited_email)`)
    .where(sql.ref('status'), '=', 'PendingAcceptance')
    .execute();
  await db.schema
    .createIndex('invitations_due_idx')
    .on('invitations')
    .columns(['status', 'expires_at'])
    .execute();

  // A guest object per email per tenant: two concurrent invitations of a new address cannot both create one.
  await db.schema
    .createIndex('users_invited_mail_unique')
    .on('users')
    .unique()
    .expression(sql`tenant_id, lower(mail)`)
    .where(sql.ref('creation_type'), '=', 'Invitation')
    .execute();

  // "Block future invitations from this organisation", chosen by the recipient.
  await db.schema
    .createTable('invitation_blocks')
    .addColumn('tenant_id', 'text', (c) => c.notNull().references('tenants.id').onDelete('cascade'))
    .addColumn('email_lower', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('invitation_blocks_pk', ['tenant_id', 'email_lower'])
    .execute();

  // Fixed-window counters shared by every instance (PRODUCT §3: limits hold across instances).
  await db.schema
    .createTable('rate_limit_counters')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counters_pk', ['bucket', 'window_start'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('rate_limit_counters').ifExists().execute();
  await db.schema.dropTable('invitation_blocks').ifExists().execute();
  await db.schema.dropIndex('users_invited_mail_unique').ifExists().execute();
  await db.schema.dropTable('invitations').ifExists().execute();
}
