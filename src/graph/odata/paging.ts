import { type Expression, expressionBuilder, type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import { FoyerError } from '../../errors/catalogue.js';
import { columnRef, compileFilter } from './compile.js';
import { type EntitySpec, lookup, type PropertySpec } from './entity.js';
import type { OrderBy, QueryOptions, SortDirection } from './query-options.js';
import { compileSearch } from './search.js';

/**
 * Keyset paging: rows are ordered by (sort value, key) and a page starts strictly after the last row of
 * the previous one, so rows inserted between requests never shift existing rows into duplicates or gaps
 * (unlike OFFSET). The $skiptoken is opaque to clients: base64url JSON of that last position.
 */

export type SortValue = string | number | null;

export interface SkipToken {
  /** Sort value of the last row returned. */
  value: SortValue;
  /** Key of the last row returned. */
  key: string | number;
  orderBy: OrderBy;
}

export interface Cursor {
  sortValue: unknown;
  key: unknown;
}

export interface Page<R> {
  items: R[];
  nextSkipToken?: string;
}

const MAX_SKIPTOKEN_LENGTH = 2048;
const eb = expressionBuilder<Record<string, Record<string, unknown>>, never>();

function invalidSkipToken(reason: string): FoyerError {
  return new FoyerError('unsupportedQuery', `Invalid $skiptoken: ${reason}`);
}

export function encodeSkipToken(token: SkipToken): string {
  const payload = { v: token.value, k: token.key, o: token.orderBy.property, d: token.orderBy.direction };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** Decodes a token and checks it was issued for the same $orderby as the current request. */
export function decodeSkipToken(raw: string, orderBy: OrderBy): SkipToken {
  if (raw.length === 0 || raw.length > MAX_SKIPTOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(raw)) {
    throw invalidSkipToken('not a token issued by this service');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidSkipToken('not a token issued by this service');
  }
  if (typeof payload !== 'object' || payload === null)
    throw invalidSkipToken('not a token issued by this service');
  const { v, k, o, d } = payload as Record<string, unknown>;
  const validValue = v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  const validKey = typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k));
  if (!validValue || !validKey || typeof o !== 'string' || (d !== 'asc' && d !== 'desc')) {
    throw invalidSkipToken('not a token issued by this service');
  }
  if (o !== orderBy.property || d !== orderBy.direction) {
    throw invalidSkipToken('it was issued for a different $orderby');
  }
  return { value: v as SortValue, key: k as string | number, orderBy };
}

/**
 * The expression rows are sorted by. Nulls sort as the empty value because SQLite and PostgreSQL put NULLs
 * at opposite ends; case-insensitive properties sort by lower() like Graph's displayName ordering.
 */
function sortExpression(spec: PropertySpec, operand: Expression<unknown>): Expression<unknown> {
  const filled = spec.nullable
    ? sql`coalesce(${operand}, ${sql.lit(spec.type === 'boolean' ? 0 : '')})`
    : operand;
  return spec.caseInsensitive ? sql`lower(${filled})` : filled;
}

function sortSpec(entity: EntitySpec, orderBy: OrderBy): PropertySpec {
  const spec = lookup(entity.properties, orderBy.property);
  if (spec === undefined) throw new FoyerError('internal', `Unknown order property '${orderBy.property}'`);
  return spec;
}

/**
 * Rows strictly after the token's position in (sort, key) order. The leading `sort >= last` is implied by the
 * rest, but it is what lets both SQLite and PostgreSQL start the index range at the position: with the `OR`
 * alone, SQLite walks the index from the first row of the filter to the page (pages deep in 100,000 users
 * cost a scan of every row before them).
 */
function keysetCondition(entity: EntitySpec, token: SkipToken): Expression<SqlBool> {
  const spec = sortSpec(entity, token.orderBy);
  const asc = token.orderBy.direction === 'asc';
  const after = asc ? '>' : '<';
  const column = sortExpression(spec, columnRef(entity.table, spec.column));
  const last = sortExpression(spec, sql.val(token.value));
  const key = columnRef(entity.table, entity.keyColumn);
  return eb.and([
    eb(column, asc ? '>=' : '<=', last),
    eb.or([eb(column, after, last), eb.and([eb(column, '=', last), eb(key, after, token.key)])]),
  ]);
}

/** Tenant + $filter + $search: the condition shared by the page query and the $count query. */
export function whereClause(
  tenantId: string,
  options: QueryOptions,
  entity: EntitySpec,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [eb(columnRef(entity.table, entity.tenantColumn), '=', tenantId)];
  if (options.filter !== undefined) conditions.push(compileFilter(options.filter, entity));
  if (options.search !== undefined) conditions.push(compileSearch(options.search, entity));
  return eb.and(conditions);
}

/** Adds the tenant, $filter and $search conditions; use it for `select count(*)` when $count=true. */
export function applyFilter<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  tenantId: string,
  options: QueryOptions,
  entity: EntitySpec,
): SelectQueryBuilder<DB, TB, O> {
  return qb.where(whereClause(tenantId, options, entity));
}

/** applyFilter plus the keyset position, the (sort, key) ordering and limit top + 1 (to detect a next page). */
export function applyQuery<DB, TB extends keyof DB, O>(
  qb: SelectQueryBuilder<DB, TB, O>,
  tenantId: string,
  options: QueryOptions,
  entity: EntitySpec,
): SelectQueryBuilder<DB, TB, O> {
  const spec = sortSpec(entity, options.orderBy);
  const direction: SortDirection = options.orderBy.direction;
  let query = applyFilter(qb, tenantId, options, entity);
  if (options.skipToken !== undefined) query = query.where(keysetCondition(entity, options.skipToken));
  return query
    .orderBy(sortExpression(spec, columnRef(entity.table, spec.column)), direction)
    .orderBy(columnRef(entity.table, entity.keyColumn), direction)
    .limit(options.top + 1);
}

function toSortValue(value: unknown): SortValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  throw new FoyerError('internal', `Cannot page on a ${typeof value} sort value`);
}

/**
 * Cuts the top + 1 rows fetched by applyQuery down to one page and mints the token for the next one.
 * By default the cursor is read from the raw columns of the row (select the sort and key columns).
 */
export function pageResult<R extends object>(
  rows: readonly R[],
  options: QueryOptions,
  entity: EntitySpec,
  cursorOf?: (row: R) => Cursor,
): Page<R> {
  if (rows.length <= options.top) return { items: [...rows] };
  const items = rows.slice(0, options.top);
  const last = items.at(-1)!;
  const spec = sortSpec(entity, options.orderBy);
  const cursor = cursorOf?.(last) ?? {
    sortValue: (last as Record<string, unknown>)[spec.column],
    key: (last as Record<string, unknown>)[entity.keyColumn],
  };
  const key = toSortValue(cursor.key);
  if (key === null) throw new FoyerError('internal', `Row has no '${entity.keyColumn}' to page on`);
  const token = encodeSkipToken({ value: toSortValue(cursor.sortValue), key, orderBy: options.orderBy });
  return { items, nextSkipToken: token };
}
