import { type Kysely, sql } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Inviting an address checks whether someone already signs in with it (PRODUCT §4.1): a lookup of identities by
 * issuerAssignedId alone, whatever the issuer. The unique index leads with the issuer, so it needs its own.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex('user_identities_assigned_id_idx')
    .on('user_identities')
    .expression(sql`tenant_id, lower(issuer_assigned_id)`)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropIndex('user_identities_assigned_id_idx').ifExists().execute();
}
