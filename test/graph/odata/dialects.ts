import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

export interface UsersTable {
  tenant_id: string;
  id: string;
  display_name: string | null;
  mail: string | null;
  user_principal_name: string;
  user_type: string;
  account_enabled: number;
  external_user_state: string | null;
  creation_type: string | null;
  created_at: string;
  job_title: string | null;
}

export interface UserIdentitiesTable {
  tenant_id: string;
  user_id: string;
  issuer: string;
  issuer_assigned_id: string | null;
  sign_in_type: string;
}

export interface TestDatabase {
  users: UsersTable;
  user_identities: UserIdentitiesTable;
}

export interface TestDialect {
  name: string;
  open(): Promise<{ db: Kysely<TestDatabase>; close(): Promise<void> }>;
}

const sqlite: TestDialect = {
  name: 'sqlite',
  async open() {
    const db = new Kysely<TestDatabase>({
      dialect: new SqliteDialect({ database: new Database(':memory:') }),
    });
    return { db, close: () => db.destroy() };
  },
};

/** Each run gets its own schema (via search_path), so parallel runs never see each other's rows. */
function postgres(url: string): TestDialect {
  return {
    name: 'postgres',
    async open() {
      const schema = `odata_test_${process.pid}_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create schema "${schema}"`);
      await admin.end();
      const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path="${schema}"` });
      const db = new Kysely<TestDatabase>({ dialect: new PostgresDialect({ pool }) });
      return {
        db,
        async close() {
          await db.destroy();
          const cleanup = new pg.Client({ connectionString: url });
          await cleanup.connect();
          await cleanup.query(`drop schema "${schema}" cascade`);
          await cleanup.end();
        },
      };
    },
  };
}

/** PostgreSQL runs when FOYER_TEST_DATABASE_URL is set; in CI it must be set (STYLE.md: every query, every dialect). */
export function testDialects(): TestDialect[] {
  const url = process.env.FOYER_TEST_DATABASE_URL;
  if (url === undefined || url === '') {
    if (process.env.CI === 'true') throw new Error('FOYER_TEST_DATABASE_URL must be set in CI');
    return [sqlite];
  }
  return [sqlite, postgres(url)];
}

export async function createTables(db: Kysely<TestDatabase>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('id', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('mail', 'text')
    .addColumn('user_principal_name', 'text', (col) => col.notNull())
    .addColumn('user_type', 'text', (col) => col.notNull())
    .addColumn('account_enabled', 'integer', (col) => col.notNull())
    .addColumn('external_user_state', 'text')
    .addColumn('creation_type', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('job_title', 'text')
    .addPrimaryKeyConstraint('users_pk', ['tenant_id', 'id'])
    .execute();
  await db.schema
    .createTable('user_identities')
    .addColumn('tenant_id', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull())
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('issuer_assigned_id', 'text')
    .addColumn('sign_in_type', 'text', (col) => col.notNull())
    .execute();
}
