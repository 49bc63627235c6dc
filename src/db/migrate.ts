import { type Kysely, Migrator, sql } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

const provider = { getMigrations: async () => migrations };

/**
 * Migration names are ASCII and numbered, so code-unit order is their order. Kysely's default comparator,
 * `localeCompare`, loads ICU's collation tables on its first call: ~8 ms of every start for nothing.
 */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Applies every pending migration; throws with the failing migration's name. `schema` (PostgreSQL) keeps the
 * migrator's own bookkeeping tables in that schema: without it Kysely looks for them in every schema and
 * trips over another schema's tables (tests run one schema per file, in parallel).
 */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<string[]> {
  // Kysely locks migrations on PostgreSQL but not on SQLite, where two processes starting on a fresh file
  // (a server and the CLI) can race. Each migration is one transaction, so the loser rolls back: try again,
  // and it finds the winner's work applied.
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, schema);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

async function migrateOnce(db: Kysely<Database>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    nameComparator: byCodeUnits,
    ...(schema && { migrationTableSchema: schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** True when every known migration has been applied (used by /readyz): one read of Kysely's own table. */
export async function migrationsApplied(db: Kysely<Database>): Promise<boolean> {
  const rows = await sql<{ name: string }>`select name from kysely_migration`
    .execute(db)
    .catch(() => ({ rows: [] }));
  const applied = new Set(rows.rows.map((r) => r.name));
  return Object.keys(migrations).every((name) => applied.has(name));
}
