import type { Kysely } from 'kysely';

// biome-ignore lint/suspicious/noExplicitAny: migrations build the schema the typed Database describes
type AnyDb = Kysely<any>;

/**
 * Tenant-wide ceilings on PostgreSQL counted in one row per instance (src/ratelimit/limiter.ts): with a single
 * row per tenant, every successful API call of every instance queued for the same row lock. The counters of
 * the current window start again from zero after this migration, which a fixed window does every few seconds.
 */
export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('rate_limit_shards')
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('shard', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_shards_pk', ['bucket', 'window_start', 'shard'])
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('rate_limit_shards').ifExists().execute();
}
