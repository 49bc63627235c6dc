import { type Kysely, PostgresAdapter, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Two speed-ups of POST /invitations (issue #11).
 *
 * 1. `mail_outbox.template`: what a templated mail is rendered from (template name, language and content, as
 *    JSON). The request stores only that; the worker renders just before sending and, once delivery is over,
 *    stores the (redacted) rendered bodies and clears the template, which holds the live links. Old rows keep
 *    a null template and their rendered bodies.
 *
 * 2. `user_other_mails`: each member's otherMails, lower-cased, one row per address, so "does a member of
 *    this tenant hold this address" is an index lookup instead of a LIKE over every member's JSON array.
 *    Kept by triggers on `users` rather than by the application: every writer of `other_mails` (the API, the
 *    bulk importer, seeds, tests inserting rows) keeps it right without knowing it exists. Guests are left
 *    out — only members are looked up this way — so creating a guest by invitation writes nothing here.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('mail_outbox').addColumn('template', 'text').execute();

  await db.schema
    .createTable('user_other_mails')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('address_lower', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_other_mails_pk', ['tenant_id', 'address_lower', 'user_id'])
    .execute();
  await db.schema
    .createIndex('user_other_mails_user')
    .on('user_other_mails')
    .columns(['tenant_id', 'user_id'])
    .execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`
      create function foyer_user_other_mails() returns trigger language plpgsql as $$
      begin
        if tg_op <> 'INSERT' then
          delete from user_other_mails where tenant_id = old.tenant_id and user_id = old.id;
        end if;
        if tg_op <> 'DELETE' and new.user_type = 'Member' then
          insert into user_other_mails (tenant_id, address_lower, user_id)
            select distinct new.tenant_id, lower(address), new.id
            from jsonb_array_elements_text(new.other_mails::jsonb) as address;
        end if;
        return null;
      end
      $$`.execute(db);
    await sql`
      create trigger users_other_mails_insert after insert on users
      for each row execute function foyer_user_other_mails()`.execute(db);
    await sql`
      create trigger users_other_mails_update after update of other_mails, user_type, tenant_id, id on users
      for each row execute function foyer_user_other_mails()`.execute(db);
    await sql`
      create trigger users_other_mails_delete after delete on users
      for each row execute function foyer_user_other_mails()`.execute(db);
  } else {
    const insertNew = sql`
      insert or ignore into user_other_mails (tenant_id, address_lower, user_id)
        select new.tenant_id, lower(value), new.id from json_each(new.other_mails)
        where new.user_type = 'Member';`;
    const deleteOld = sql`
      delete from user_other_mails where tenant_id = old.tenant_id and user_id = old.id;`;
    await sql`create trigger users_other_mails_insert after insert on users begin ${insertNew} end`.execute(
      db,
    );
    await sql`
      create trigger users_other_mails_update after update of other_mails, user_type, tenant_id, id on users
      begin ${deleteOld} ${insertNew} end`.execute(db);
    await sql`create trigger users_other_mails_delete after delete on users begin ${deleteOld} end`.execute(
      db,
    );
  }

  // The members already there, lower-cased by the same SQL lower() as the triggers.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`
      insert into user_other_mails (tenant_id, address_lower, user_id)
        select distinct u.tenant_id, lower(address), u.id
        from users u, jsonb_array_elements_text(u.other_mails::jsonb) as address
        where u.user_type = 'Member'`.execute(db);
  } else {
    await sql`
      insert or ignore into user_other_mails (tenant_id, address_lower, user_id)
        select u.tenant_id, lower(e.value), u.id from users u, json_each(u.other_mails) e
        where u.user_type = 'Member'`.execute(db);
  }
}

export async function down(db: AnyDb): Promise<void> {
  for (const name of ['users_other_mails_insert', 'users_other_mails_update', 'users_other_mails_delete']) {
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`drop trigger if exists ${sql.ref(name)} on users`.execute(db);
    } else {
      await sql`drop trigger if exists ${sql.ref(name)}`.execute(db);
    }
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop function if exists foyer_user_other_mails()`.execute(db);
  }
  await db.schema.dropTable('user_other_mails').execute();
  await db.schema.alterTable('mail_outbox').dropColumn('template').execute();
}
