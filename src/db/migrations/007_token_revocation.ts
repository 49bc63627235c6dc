import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Removing a client secret must end the access it gave, but an app-only token does not say which secret minted
 * it. Each application therefore records the moment its credentials last lost a secret: the directory API
 * refuses that application's tokens issued before it (src/auth/resolve.ts), and the app simply asks again.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('applications').addColumn('tokens_valid_after', 'text').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('tokens_valid_after').execute();
}
