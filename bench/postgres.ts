import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';

/**
 * A PostgreSQL database of its own for one bench run, and what PostgreSQL spends on it: statements and
 * execution time from `pg_stat_statements` (where the server has it), and the CPU of the server processes
 * serving that database from /proc (where the server runs on this machine). A database of its own, not a
 * schema: both sources are per database, so other clients of the same server (test suites) are not counted.
 */
export class BenchDatabase {
  private constructor(
    private readonly admin: pg.Client,
    readonly name: string,
    /** FOYER_DATABASE_URL for the instances. */
    readonly url: string,
    private readonly oid: number,
    /** Whether the server has pg_stat_statements (else only the instances' own driver counts are reported). */
    readonly hasStatements: boolean,
  ) {}

  /** Creates `foyer_bench_<random>` on the server of `serverUrl` (a database URL its user may create on). */
  static async create(serverUrl: string): Promise<BenchDatabase> {
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const name = `foyer_bench_${randomBytes(5).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const { rows } = await admin.query<{ oid: number }>('select oid from pg_database where datname = $1', [
      name,
    ]);
    const statements = await admin
      .query(`select 1 from pg_stat_statements limit 1`)
      .then(() => true)
      .catch(() => false);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    url.search = '';
    return new BenchDatabase(admin, name, url.toString(), rows[0]!.oid, statements);
  }

  /** Statements, their execution milliseconds (pg_stat_statements) and backend CPU seconds (/proc) so far. */
  async reading(): Promise<PgReading> {
    const statements = this.hasStatements
      ? (
          await this.admin.query<{ calls: string; ms: number }>(
            'select coalesce(sum(calls), 0) as calls, coalesce(sum(total_exec_time), 0)::float8 as ms from pg_stat_statements where dbid = $1',
            [this.oid],
          )
        ).rows[0]
      : undefined;
    const { rows } = await this.admin.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1',
      [this.name],
    );
    const cpu = new Map<number, number>();
    for (const { pid } of rows) {
      const seconds = processCpu(pid);
      if (seconds !== undefined) cpu.set(pid, seconds);
    }
    return {
      calls: statements ? Number(statements.calls) : undefined,
      execMs: statements?.ms,
      cpu: rows.length > 0 && cpu.size === 0 ? undefined : cpu,
    };
  }

  /** Runs SQL on the bench database itself (e.g. to read a table the instances wrote). */
  async query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  async drop(): Promise<void> {
    await this.admin.query(`drop database if exists ${this.name} with (force)`);
    await this.admin.end();
  }
}

export interface PgReading {
  calls: number | undefined;
  execMs: number | undefined;
  /** CPU seconds of each server process of the database; undefined when /proc does not show them. */
  cpu: Map<number, number> | undefined;
}

/** What PostgreSQL spent between two readings, per request. */
export interface PgCost {
  statements: number | undefined;
  execMs: number | undefined;
  cpuMs: number | undefined;
}

export function pgCost(before: PgReading, after: PgReading, requests: number): PgCost {
  const per = (value: number | undefined) =>
    value === undefined || requests === 0 ? undefined : value / requests;
  let cpuSeconds: number | undefined;
  if (before.cpu && after.cpu) {
    // A process that started during the window counts from zero; one that ended during it is lost (the pools
    // keep their connections under load, so none does).
    cpuSeconds = 0;
    for (const [pid, seconds] of after.cpu) cpuSeconds += seconds - (before.cpu.get(pid) ?? 0);
  }
  return {
    statements: per(
      after.calls === undefined || before.calls === undefined ? undefined : after.calls - before.calls,
    ),
    execMs: per(
      after.execMs === undefined || before.execMs === undefined ? undefined : after.execMs - before.execMs,
    ),
    cpuMs: per(cpuSeconds === undefined ? undefined : cpuSeconds * 1000),
  };
}

function processCpu(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
