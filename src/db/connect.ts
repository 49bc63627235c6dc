import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, SqliteDialect, type SqliteDialectConfig } from 'kysely';
import type { Database } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every statement anew; preparing costs as much as running a small query.
 * Queries are built from a fixed set of shapes (values are parameters), so a small cache of prepared statements
 * keyed by SQL text serves nearly every call. better-sqlite3 statements are reusable and calls are synchronous,
 * so sharing one is safe.
 */
function withStatementCache(database: SqliteDatabase.Database): SqliteDialectConfig['database'] {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (!statement) {
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
        statement = database.prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
  };
}

/**
 * The database holds password hashes, encrypted keys and mail with live links: readable by its owner only. The
 * file is created 0600 before SQLite opens it, and SQLite gives its -wal and -shm files the database file's own
 * mode; files left by an older version are tightened too.
 */
function createPrivately(path: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/** Statements this handle has run and the time they took (transaction control included), for /metrics. */
export interface StatementStats {
  count: number;
  seconds: number;
}

/**
 * Counts every statement at the driver (Kysely's log hook sees begin and commit too): the per-request database
 * cost the bench reports (statements per invitation, per token) reads these through /metrics.
 */
function counting(stats: StatementStats) {
  return (event: LogEvent) => {
    stats.count++;
    stats.seconds += event.queryDurationMillis / 1000;
  };
}

export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  stats: StatementStats;
  /** The PostgreSQL schema named by `?schema=` in the URL, if any. */
  schema?: string | undefined;
  close(): Promise<void>;
}

/**
 * Opens the database named by a Foyer database URL: `sqlite:<path>` (`sqlite::memory:` for tests) or
 * `postgres://…`. A `?schema=name` on a PostgreSQL URL selects a search_path, which tests use to isolate runs.
 */
export async function connectDatabase(url: string, options: { poolSize?: number } = {}): Promise<Db> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') createPrivately(path);
    const database = new SqliteDatabase(path);
    // WAL lets readers proceed while the single writer commits; NORMAL sync is safe under WAL.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 5000');
    const stats = { count: 0, seconds: 0 };
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: withStatementCache(database) }),
      log: counting(stats),
    });
    return { db, dialect: 'sqlite', stats, close: () => db.destroy() };
  }

  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema');
  parsed.searchParams.delete('schema');
  // Loaded only for PostgreSQL: the embedded default never pays for the driver at start-up.
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    max: options.poolSize ?? 10,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const stats = { count: 0, seconds: 0 };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: counting(stats) });
  return { db, dialect: 'postgres', schema: schema ?? undefined, stats, close: () => db.destroy() };
}
