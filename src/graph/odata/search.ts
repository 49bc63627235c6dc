import { type Expression, expressionBuilder, type SqlBool } from 'kysely';
import { FoyerError } from '../../errors/catalogue.js';
import { columnRef, escapeLike, likeInsensitive } from './compile.js';
import { type EntitySpec, lookup } from './entity.js';

/**
 * Graph's $search: quoted "property:term" clauses joined by AND / OR, e.g.
 * `"displayName:ada" OR "mail:ada@x"` (https://learn.microsoft.com/graph/search-query-parameter).
 * AND binds tighter than OR. Each clause is a case-insensitive substring match.
 */

export interface SearchClause {
  property: string;
  term: string;
}

/** Disjunction of conjunctions: [[a, b], [c]] means (a AND b) OR c. */
export type SearchExpression = SearchClause[][];

export const MAX_SEARCH_LENGTH = 500;
const MAX_SEARCH_CLAUSES = 10;

function invalid(message: string): FoyerError {
  return new FoyerError('unsupportedQuery', `${message} in $search`);
}

/** Reads one "…" clause starting at `start`; a backslash escapes the next character. */
function readQuoted(text: string, start: number): { content: string; end: number } {
  let content = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position];
    if (char === '\\' && position + 1 < text.length) {
      content += text[position + 1];
      position += 2;
      continue;
    }
    if (char === '"') return { content, end: position + 1 };
    content += char;
    position += 1;
  }
  throw invalid(`Syntax error: unterminated quoted clause starting at position ${start}`);
}

function toClause(content: string, entity: EntitySpec): SearchClause {
  const colon = content.indexOf(':');
  if (colon <= 0) throw invalid(`Clause "${content}" must have the form "property:term"`);
  const property = content.slice(0, colon).trim();
  const term = content.slice(colon + 1);
  if (lookup(entity.properties, property) === undefined) throw invalid(`Unsupported property '${property}'`);
  if (!entity.searchable.includes(property)) throw invalid(`Property '${property}' is not supported`);
  if (term.trim() === '') throw invalid(`Empty search term for '${property}'`);
  return { property, term };
}

export function parseSearch(text: string, entity: EntitySpec): SearchExpression {
  if (text.length > MAX_SEARCH_LENGTH)
    throw invalid(`Expression longer than ${MAX_SEARCH_LENGTH} characters`);
  const groups: SearchClause[][] = [[]];
  let position = 0;
  let expectClause = true;
  let count = 0;
  while (position < text.length) {
    const char = text[position];
    if (char === ' ' || char === '\t') {
      position += 1;
    } else if (expectClause) {
      if (char !== '"') {
        throw invalid(`Syntax error: expected a quoted "property:term" clause at position ${position}`);
      }
      const { content, end } = readQuoted(text, position);
      groups.at(-1)!.push(toClause(content, entity));
      count += 1;
      if (count > MAX_SEARCH_CLAUSES) throw invalid(`More than ${MAX_SEARCH_CLAUSES} clauses`);
      position = end;
      expectClause = false;
    } else {
      const word = /^(AND|OR)(?=[ \t]|$)/.exec(text.slice(position))?.[0];
      if (word === undefined) throw invalid(`Syntax error: expected AND or OR at position ${position}`);
      if (word === 'OR') groups.push([]);
      position += word.length;
      expectClause = true;
    }
  }
  if (expectClause) {
    throw invalid(`Syntax error: expected a quoted "property:term" clause at position ${position}`);
  }
  return groups;
}

const eb = expressionBuilder<Record<string, Record<string, unknown>>, never>();

export function compileSearch(search: SearchExpression, entity: EntitySpec): Expression<SqlBool> {
  return eb.or(
    search.map((group) =>
      eb.and(
        group.map((clause) => {
          const { column } = lookup(entity.properties, clause.property)!;
          return likeInsensitive(columnRef(entity.table, column), `%${escapeLike(clause.term)}%`);
        }),
      ),
    ),
  );
}
