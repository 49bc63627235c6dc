import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, type LogEvent, PostgresDialect, type SqliteDialectConfig } from 'kysely';
import { type Checkpointer, startCheckpointer, WAL_SIZE_LIMIT_BYTES } from './checkpointer.js';
import type { Database } from './schema.js';
import { FoyerSqliteDialect } from './sqlite-dialect.js';

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

/** SQLite's own checkpoint after a commit, kept only as a backstop: 10,000 pages of 4 KiB, about 40 MB. */
const AUTOCHECKPOINT_PAGES = 10_000;

/**
 * SQLite's default checkpoints the WAL inside whichever commit crosses 1,000 pages: that request's commit then
 * takes ~14 ms instead of ~0.15 ms, and under load it happens several times a second, copying index pages that
 * the next commits rewrite anyway. A thread instead runs a PASSIVE checkpoint once a second (./checkpointer.ts),
 * so each page is copied about once per second however often it changed, the database file is synced once per
 * second instead of once per checkpoint, and the event loop never waits for either. The WAL then holds about one
 * second of writes; the automatic checkpoint stays as a backstop at ~40 MB (a reader holding a snapshot for that
 * long, or a thread that cannot run), and the file is truncated back to 64 MB at most. Durability is unchanged: a
 * commit is in the WAL when it returns (synchronous=NORMAL survives a process crash), checkpoint or not.
 */
function checkpointPeriodically(database: SqliteDatabase.Database, path: string): Checkpointer {
  database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  database.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  return startCheckpointer(path);
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
    const checkpoints = path === ':memory:' ? undefined : checkpointPeriodically(database, path);
    const stats = { count: 0, seconds: 0 };
    const db = new Kysely<Database>({
      dialect: new FoyerSqliteDialect({ database: withStatementCache(database) }),
      log: counting(stats),
    });
    const close = async () => {
      await checkpoints?.stop();
      await db.destroy();
    };
    return { db, dialect: 'sqlite', stats, close };
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
