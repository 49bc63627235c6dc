import { type Compilable, CompiledQuery, type InsertQueryBuilder, type InsertResult } from 'kysely';
import type { Executor } from './executor.js';
import type { Database } from './schema.js';

/**
 * Queries compiled once: Kysely rebuilds its immutable operation tree and compiles it to SQL on every call,
 * which on an invitation (15 fixed-shape statements) cost about a sixth of the server's CPU, more than
 * SQLite's own execution of half of them. The hot queries whose shape never changes are built once per dialect
 * with placeholder values, compiled, and from then on only bound: each call maps its values into the compiled
 * parameter list. The SQL is byte for byte what Kysely would have produced (the statement cache of
 * src/db/connect.ts serves it the same way), and the log hook still counts every statement.
 */

const SLOT = '\u0000foyer-slot:';

interface Template {
  sql: string;
  /** Per compiled parameter: the index of the call's value, or a constant the builder wrote itself. */
  slots: Array<{ index: number } | { constant: unknown }>;
}

function compileTemplate(query: Compilable<unknown>): Template {
  const compiled = query.compile();
  if (compiled.sql.includes('\u0000')) {
    throw new Error('A prepared query may only use its values as parameters, never in its SQL text');
  }
  const slots = compiled.parameters.map((parameter) => {
    if (typeof parameter !== 'string' || !parameter.includes('\u0000')) return { constant: parameter };
    if (!parameter.startsWith(SLOT)) {
      throw new Error('A prepared query must bind each value whole, not a string built from it');
    }
    return { index: Number(parameter.slice(SLOT.length)) };
  });
  return { sql: compiled.sql, slots };
}

/** The template for this executor's dialect (SQLite `?` and PostgreSQL `$1` differ), built on first use. */
function templateCache(build: (db: Executor, placeholders: string[]) => Compilable<unknown>, arity: number) {
  const byAdapter = new WeakMap<object, Template>();
  const placeholders = Array.from({ length: arity }, (_, i) => `${SLOT}${i}`);
  return (db: Executor): Template => {
    const adapter = db.getExecutor().adapter;
    let template = byAdapter.get(adapter);
    if (!template) {
      template = compileTemplate(build(db, placeholders));
      byAdapter.set(adapter, template);
    }
    return template;
  };
}

async function run<R>(db: Executor, template: Template, values: readonly unknown[]): Promise<R[]> {
  const parameters = template.slots.map((slot) => ('index' in slot ? values[slot.index] : slot.constant));
  const result = await db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters));
  return result.rows;
}

/**
 * A query of fixed shape taking `arity` scalar values (strings, numbers, null). `build` receives placeholders
 * for them and must not branch on them or transform them: each must reach the query as one whole parameter
 * (enforced when it is compiled). Returns the rows (none for a statement without RETURNING).
 */
export function prepared<R, V extends readonly unknown[]>(
  arity: V['length'],
  build: (db: Executor, ...values: string[]) => Compilable<R>,
): (db: Executor, ...values: V) => Promise<R[]> {
  const template = templateCache((db, placeholders) => build(db, ...placeholders), arity);
  return (db, ...values) => run<R>(db, template(db), values);
}

/**
 * An INSERT of one row whose columns are always the same (a full row type): built once per dialect from the
 * row's keys. `finish` adds fixed clauses (ON CONFLICT, RETURNING). A row with other keys compiles its own.
 */
export function preparedInsert<T extends keyof Database & string, Row extends object, R = unknown>(
  table: T,
  finish: (query: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<R> = (query) => query,
): (db: Executor, row: Row) => Promise<R[]> {
  const byShape = new Map<string, (db: Executor) => Template>();
  return (db, row) => {
    const columns = Object.keys(row).filter((key) => row[key as keyof Row] !== undefined);
    const shape = columns.join(',');
    let template = byShape.get(shape);
    if (!template) {
      template = templateCache((executor, placeholders) => {
        const values = Object.fromEntries(columns.map((column, i) => [column, placeholders[i]]));
        // biome-ignore lint/suspicious/noExplicitAny: the placeholder row stands for any row of the table
        return finish(executor.insertInto(table).values(values as any));
      }, columns.length);
      byShape.set(shape, template);
    }
    return run<R>(
      db,
      template(db),
      columns.map((column) => row[column as keyof Row]),
    );
  };
}
