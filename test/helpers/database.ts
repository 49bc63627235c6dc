import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * The dialects this run covers: SQLite always; PostgreSQL when FOYER_TEST_DATABASE_URL is set. In CI the
 * variable is required, so a missing database fails the run instead of silently skipping half the matrix.
 */
export function testDialects(): DialectName[] {
  if (process.env.FOYER_TEST_DATABASE_URL) return ['sqlite', 'postgres'];
  if (process.env.CI === 'true') throw new Error('FOYER_TEST_DATABASE_URL must be set in CI');
  return ['sqlite'];
}

/**
 * A fresh, migrated database: in-memory SQLite, or a new schema on the test PostgreSQL server. `sqliteFile`
 * puts SQLite in a temporary file instead, so a second app can open the same database (restart tests).
 */
export async function freshDatabase(
  dialect: DialectName,
  options: { sqliteFile?: boolean } = {},
): Promise<Db & { url: string }> {
  if (dialect === 'sqlite' && options.sqliteFile) {
    const dir = mkdtempSync(join(tmpdir(), 'foyer-test-'));
    const url = `sqlite:${join(dir, 'foyer.db')}`;
    const database = await connectDatabase(url);
    await migrateToLatest(database.db, database.schema);
    return {
      ...database,
      url,
      async close() {
        await database.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (dialect === 'sqlite') {
    const database = await connectDatabase('sqlite::memory:');
    await migrateToLatest(database.db, database.schema);
    return { ...database, url: 'sqlite::memory:' };
  }
  const base = process.env.FOYER_TEST_DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;
  const database = await connectDatabase(url, { poolSize: 5 });
  await migrateToLatest(database.db, database.schema);
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`drop schema ${schema} cascade`);
      await cleanup.end();
    },
  };
}
