import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * A webhook endpoint can be switched off without deleting it (PATCH /v1.0/webhooks/{id}, the console's edit
 * form): a disabled endpoint receives no new deliveries, and keeps its secret and its delivery log.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable('webhook_endpoints')
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').dropColumn('enabled').execute();
}
