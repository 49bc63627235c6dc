import { FoyerError } from '../../errors/catalogue.js';
import { type EntitySpec, lookup } from './entity.js';
import { type FilterNode, parseFilter } from './filter-parser.js';
import { decodeSkipToken, type SkipToken } from './paging.js';
import { parseSearch, type SearchExpression } from './search.js';

/**
 * Parses the OData system query options of a collection request (PRODUCT.md §3). Anything not understood
 * is a 400 naming what was not understood — never a silent ignore.
 */

export const DEFAULT_TOP = 100;
export const MAX_TOP = 999;

export type SortDirection = 'asc' | 'desc';

export interface OrderBy {
  /** Graph property name. */
  property: string;
  direction: SortDirection;
}

export interface QueryOptions {
  filter?: FilterNode;
  search?: SearchExpression;
  /** Graph property names, in request order, without duplicates; undefined means all properties. */
  select?: string[];
  top: number;
  orderBy: OrderBy;
  count: boolean;
  skipToken?: SkipToken;
}

const KNOWN_OPTIONS = ['$filter', '$select', '$top', '$orderby', '$count', '$search', '$skiptoken'] as const;
type KnownOption = (typeof KNOWN_OPTIONS)[number];

function unsupported(message: string): FoyerError {
  return new FoyerError('unsupportedQuery', message);
}

/**
 * Picks the system query options out of a parsed query string. Option names are matched
 * case-insensitively (OData 4.01 §5.1); parameters without a '$' belong to the route and are left alone.
 */
function collectOptions(query: Record<string, unknown>): Partial<Record<KnownOption, string>> {
  const options: Partial<Record<KnownOption, string>> = {};
  for (const [rawName, rawValue] of Object.entries(query)) {
    if (!rawName.startsWith('$')) continue;
    const name = KNOWN_OPTIONS.find((known) => known === rawName.toLowerCase());
    if (name === undefined) throw unsupported(`Unsupported query option '${rawName}'`);
    if (rawValue === undefined) continue;
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    if (values.length !== 1 || options[name] !== undefined) {
      throw unsupported(`Query option '${name}' must be given once`);
    }
    const [value] = values;
    if (typeof value !== 'string') throw unsupported(`Query option '${name}' must be a string`);
    options[name] = value;
  }
  return options;
}

function parseSelect(text: string, entity: EntitySpec): string[] {
  const names = text.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name === '') throw unsupported('Syntax error: empty property name in $select');
    if (lookup(entity.properties, name) === undefined) {
      throw unsupported(`Unsupported property '${name}' in $select`);
    }
  }
  return [...new Set(names)];
}

function parseTop(text: string): number {
  if (!/^\d{1,9}$/.test(text.trim())) {
    throw unsupported(`Invalid value '${text}' for $top: expected an integer from 1 to ${MAX_TOP}`);
  }
  const top = Number(text.trim());
  if (top < 1 || top > MAX_TOP) {
    throw unsupported(`Invalid value '${text}' for $top: the maximum is ${MAX_TOP} (minimum 1)`);
  }
  return top;
}

function parseOrderBy(text: string, entity: EntitySpec): OrderBy {
  if (text.includes(','))
    throw unsupported('Ordering by more than one property is not supported in $orderby');
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (match === null) throw unsupported(`Syntax error: cannot parse '${text}' in $orderby`);
  const property = match[1]!;
  if (lookup(entity.properties, property) === undefined) {
    throw unsupported(`Unsupported property '${property}' in $orderby`);
  }
  if (!entity.orderable.includes(property))
    throw unsupported(`Property '${property}' is not supported in $orderby`);
  const direction = (match[2]?.toLowerCase() ?? 'asc') as SortDirection;
  return { property, direction };
}

function parseCount(text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw unsupported(`Invalid value '${text}' for $count: expected true or false`);
}

/** The value may be a string or string[] (as parsed by fastify/qs); a repeated option is a 400. */
export function parseQueryOptions(query: Record<string, unknown>, entity: EntitySpec): QueryOptions {
  const raw = collectOptions(query);
  const orderBy =
    raw.$orderby === undefined
      ? { property: entity.defaultOrderBy, direction: entity.defaultDirection ?? ('asc' as const) }
      : parseOrderBy(raw.$orderby, entity);
  const options: QueryOptions = {
    top: raw.$top === undefined ? DEFAULT_TOP : parseTop(raw.$top),
    orderBy,
    count: raw.$count === undefined ? false : parseCount(raw.$count),
  };
  if (raw.$filter !== undefined) options.filter = parseFilter(raw.$filter, entity);
  if (raw.$search !== undefined) options.search = parseSearch(raw.$search, entity);
  if (raw.$select !== undefined) options.select = parseSelect(raw.$select, entity);
  if (raw.$skiptoken !== undefined) options.skipToken = decodeSkipToken(raw.$skiptoken, orderBy);
  return options;
}
