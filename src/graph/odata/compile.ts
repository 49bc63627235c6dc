import { type Expression, expressionBuilder, type SqlBool, sql } from 'kysely';
import type { EntitySpec, PropertySpec } from './entity.js';
import type { FilterNode, FilterValue, PropertyRef } from './filter-parser.js';

/**
 * Turns parsed $filter / $search trees into Kysely expressions. Every value becomes a bound parameter;
 * identifiers come only from the descriptor. Only portable SQL is used (lower, LIKE … ESCAPE, EXISTS,
 * IS NULL), so the same expression runs on SQLite and PostgreSQL.
 */

/** The tables behind an entity are only known at run time, so expressions are built over an open schema. */
type OpenSchema = Record<string, Record<string, unknown>>;
const eb = expressionBuilder<OpenSchema, never>();

/** Escapes LIKE wildcards so user text matches literally; pairs with ESCAPE '\'. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

/** lower(column) LIKE lower(pattern) ESCAPE '\' — LIKE is case-sensitive on PostgreSQL, so lower both sides. */
export function likeInsensitive(column: Expression<unknown>, pattern: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(${column}) like lower(${pattern}) escape '\\'`;
}

export function columnRef(qualifier: string, column: string): Expression<unknown> {
  return sql.ref(`${qualifier}.${column}`);
}

interface Scope {
  entity: EntitySpec;
  /** Table alias of each lambda variable's collection row. */
  aliases: Map<string, string>;
}

function qualifierOf(property: PropertyRef, scope: Scope): string {
  if (property.scope === 'entity') return scope.entity.table;
  return scope.aliases.get(property.scope.variable)!;
}

/** Both sides of a comparison, lowered when the property compares case-insensitively. */
function operands(spec: PropertySpec, column: Expression<unknown>, value: FilterValue) {
  if (spec.caseInsensitive) return { left: sql`lower(${column})`, right: sql`lower(${value})` };
  return { left: column, right: eb.val(value) };
}

const SQL_ORDERING = { gt: '>', ge: '>=', lt: '<', le: '<=' } as const;

/**
 * Comparisons are kept two-valued (never SQL NULL) on nullable columns, so `not (...)` means what OData
 * says: `not (mail eq 'a')` includes users without mail, and `mail ne 'a'` is "is distinct from".
 */
function compileCompare(node: Extract<FilterNode, { kind: 'compare' }>, scope: Scope): Expression<SqlBool> {
  const { spec } = node.property;
  const column = columnRef(qualifierOf(node.property, scope), spec.column);
  if (node.value === null) return eb(column, node.op === 'eq' ? 'is' : 'is not', null);
  const { left, right } = operands(spec, column, node.value);
  if (node.op !== 'eq' && node.op !== 'ne') {
    // Only dateTime properties reach here (the parser's rule); ISO-8601 UTC text sorts chronologically.
    const ordered = eb(left, SQL_ORDERING[node.op], right);
    return spec.nullable ? eb.and([eb(column, 'is not', null), ordered]) : ordered;
  }
  if (node.op === 'eq') {
    const equal = eb(left, '=', right);
    return spec.nullable ? eb.and([eb(column, 'is not', null), equal]) : equal;
  }
  const different = eb(left, '<>', right);
  return spec.nullable ? eb.or([different, eb(column, 'is', null)]) : different;
}

function compileIn(node: Extract<FilterNode, { kind: 'in' }>, scope: Scope): Expression<SqlBool> {
  const { spec } = node.property;
  const column = columnRef(qualifierOf(node.property, scope), spec.column);
  const left = spec.caseInsensitive ? sql`lower(${column})` : column;
  const values = node.values.map((value) => (spec.caseInsensitive ? sql`lower(${value})` : eb.val(value)));
  const member = eb(left, 'in', values);
  return spec.nullable ? eb.and([eb(column, 'is not', null), member]) : member;
}

function compileStartsWith(
  node: Extract<FilterNode, { kind: 'startswith' }>,
  scope: Scope,
): Expression<SqlBool> {
  const { spec } = node.property;
  const column = columnRef(qualifierOf(node.property, scope), spec.column);
  const like = likeInsensitive(column, `${escapeLike(node.prefix)}%`);
  return spec.nullable ? eb.and([eb(column, 'is not', null), like]) : like;
}

/** identities/any(i: …) → EXISTS over the collection, correlated on the entity key and the tenant. */
function compileAny(node: Extract<FilterNode, { kind: 'any' }>, scope: Scope): Expression<SqlBool> {
  const { collection } = node;
  const alias = `odata_${node.variable}_${scope.aliases.size}`;
  const inner: Scope = { entity: scope.entity, aliases: new Map(scope.aliases).set(node.variable, alias) };
  const { table, keyColumn, tenantColumn } = scope.entity;
  const correlation = eb.and([
    eb(columnRef(alias, collection.foreignKey), '=', columnRef(table, keyColumn)),
    eb(columnRef(alias, collection.tenantColumn), '=', columnRef(table, tenantColumn)),
    compileNode(node.predicate, inner),
  ]);
  return sql<SqlBool>`exists (select 1 from ${sql.table(collection.table)} as ${sql.id(alias)} where ${correlation})`;
}

function compileNode(node: FilterNode, scope: Scope): Expression<SqlBool> {
  switch (node.kind) {
    case 'and':
      return eb.and([compileNode(node.left, scope), compileNode(node.right, scope)]);
    case 'or':
      return eb.or([compileNode(node.left, scope), compileNode(node.right, scope)]);
    case 'not':
      // Parenthesised explicitly rather than trusting NOT's precedence against IN / LIKE in each dialect.
      return sql<SqlBool>`not (${compileNode(node.operand, scope)})`;
    case 'compare':
      return compileCompare(node, scope);
    case 'in':
      return compileIn(node, scope);
    case 'startswith':
      return compileStartsWith(node, scope);
    case 'any':
      return compileAny(node, scope);
  }
}

export function compileFilter(node: FilterNode, entity: EntitySpec): Expression<SqlBool> {
  return compileNode(node, { entity, aliases: new Map() });
}
