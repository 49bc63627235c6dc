import { type Selectable, type SelectQueryBuilder, sql } from 'kysely';
import * as z from 'zod';
import { FoyerError } from '../errors/catalogue.js';
import { lookup } from './odata/entity.js';
import {
  applyFilter,
  applyQuery,
  type EntitySpec,
  pageResult,
  parseQueryOptions,
  type QueryOptions,
} from './odata/index.js';
import { odataContext } from './response.js';

/**
 * The query string of a collection route. Option values are validated by the OData parser (which names what
 * it does not understand); this schema only documents them in openapi.json.
 */
export const collectionQuery = z.looseObject({
  $filter: z.string().optional().describe("OData filter, e.g. userType eq 'Guest'"),
  $select: z.string().optional(),
  $top: z.string().optional().describe('1 to 999, default 100'),
  $orderby: z.string().optional(),
  $count: z.string().optional(),
  $search: z.string().optional().describe('"displayName:ada"'),
  $skiptoken: z.string().optional().describe('opaque; copy @odata.nextLink'),
});

/** The next page's absolute URL: the request's own query, with the new $skiptoken, on the public base URL. */
export function nextLink(baseUrl: string, requestUrl: string, skipToken: string): string {
  const url = new URL(requestUrl, 'http://internal');
  const params = new URLSearchParams(url.search);
  for (const name of [...params.keys()]) if (name.toLowerCase() === '$skiptoken') params.delete(name);
  params.set('$skiptoken', skipToken);
  // Graph writes system query options with a literal '$' (…?$skiptoken=…); URLSearchParams would escape it.
  return `${baseUrl}${url.pathname}?${params.toString().replaceAll('%24', '$')}`;
}

export function collectionResponse<T>(input: {
  baseUrl: string;
  entitySet: string;
  requestUrl: string;
  options: QueryOptions;
  items: T[];
  nextSkipToken?: string | undefined;
  count?: number | undefined;
}) {
  return {
    '@odata.context': odataContext(input.baseUrl, input.entitySet, input.options.select),
    ...(input.count !== undefined && { '@odata.count': input.count }),
    ...(input.nextSkipToken && {
      '@odata.nextLink': nextLink(input.baseUrl, input.requestUrl, input.nextSkipToken),
    }),
    value: input.items,
  };
}

/** A single-entity response schema: @odata.context first, as Graph writes it. */
export const entityOf = <T extends z.ZodRawShape>(item: z.ZodObject<T>) =>
  z.object({ '@odata.context': z.string() }).extend(item.partial().shape);

/** Graph collection envelope schema for an item schema. */
export const collectionOf = <T extends z.ZodType>(item: T) =>
  z.object({
    '@odata.context': z.string(),
    '@odata.count': z.number().optional(),
    '@odata.nextLink': z.string().optional(),
    value: z.array(item),
  });

/**
 * Every column, or only `columns` plus what the next page's cursor is read from (the sort column and the key):
 * a page of 100 wide rows costs twice the database time of the few columns a default response shows.
 */
function selectColumns<DB, TB extends keyof DB>(
  query: SelectQueryBuilder<DB, TB, object>,
  entity: EntitySpec,
  options: QueryOptions,
  columns: readonly string[] | undefined,
): SelectQueryBuilder<DB, TB, object> {
  if (columns === undefined) return query.selectAll();
  const sort = lookup(entity.properties, options.orderBy.property)?.column;
  const needed = new Set([...columns, entity.keyColumn, ...(sort === undefined ? [] : [sort])]);
  return query.select([...needed].map((name) => sql.ref(`${entity.table}.${name}`).as(name)));
}

/**
 * Runs a collection request: the page (keyset, top + 1 rows) and, for $count=true, the count under the same
 * tenant, $filter and $search, in parallel. `from` is the entity table, optionally already narrowed
 * (e.g. to one group's members); `columns` limits what is read (default: every column).
 */
export async function queryPage<DB, TB extends keyof DB>(
  from: () => SelectQueryBuilder<DB, TB, object>,
  tenantId: string,
  options: QueryOptions,
  entity: EntitySpec,
  columns?: readonly string[],
): Promise<{ items: Selectable<DB[TB]>[]; nextSkipToken?: string | undefined; count: number | undefined }> {
  const [rows, count] = await Promise.all([
    applyQuery(selectColumns(from(), entity, options, columns), tenantId, options, entity).execute(),
    options.count
      ? applyFilter(from().select(sql<number | string>`count(*)`.as('n')), tenantId, options, entity)
          .executeTakeFirstOrThrow()
          .then((row) => Number((row as { n: number | string }).n))
      : undefined,
  ]);
  // selectAll() on a generic table yields Kysely's computed row type, which TypeScript cannot relate to
  // Selectable<DB[TB]> without knowing TB; for a concrete table they are the same.
  const page = pageResult(rows as unknown as Selectable<DB[TB]>[], options, entity);
  return { items: page.items, nextSkipToken: page.nextSkipToken, count };
}

/**
 * The query options of a single-entity GET: only $select applies (PRODUCT §3: anything else is a 400, never
 * silently ignored).
 */
export function parseEntityQuery(query: Record<string, unknown>, entity: EntitySpec): QueryOptions {
  const other = Object.keys(query).find((name) => name.startsWith('$') && name.toLowerCase() !== '$select');
  if (other !== undefined) {
    throw new FoyerError(
      'unsupportedQuery',
      `Query option '${other}' is not supported on a single object; only $select is.`,
    );
  }
  return parseQueryOptions(query, entity);
}
