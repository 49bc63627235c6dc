import { FoyerError } from '../../errors/catalogue.js';
import { type CollectionSpec, type EntitySpec, lookup, type PropertySpec } from './entity.js';
import { describeToken, syntaxError, type Token, tokenize } from './lexer.js';
import { coerce, type FilterValue } from './literals.js';

/**
 * Recursive-descent parser for the $filter subset of PRODUCT.md §3. Names and value types are checked
 * against the entity descriptor here, so the compiler only ever sees well-typed nodes.
 *
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | 'startswith' '(' prop ',' string ')' | coll '/' 'any' '(' var ':' expr ')'
 *            | prop ('eq' | 'ne') value | prop 'in' '(' value (',' value)* ')'
 *            | prop ('gt' | 'ge' | 'lt' | 'le') value        — dateTime properties only
 *   prop    := name | complex '/' member | lambdaVariable '/' member
 */

export const MAX_FILTER_LENGTH = 2000;
export const MAX_FILTER_DEPTH = 16;
export const MAX_IN_VALUES = 15;

export type { FilterValue } from './literals.js';

export interface PropertyRef {
  name: string;
  spec: PropertySpec;
  /** 'entity' for the outer table; otherwise the lambda variable whose collection row it lives on. */
  scope: 'entity' | { variable: string };
}

/** Graph orders only dateTime properties (createdDateTime ge …), so these are accepted on nothing else. */
export const ORDERING_OPERATORS = ['gt', 'ge', 'lt', 'le'] as const;
export type OrderingOperator = (typeof ORDERING_OPERATORS)[number];
export type ComparisonOperator = 'eq' | 'ne' | OrderingOperator;

const isOrdering = (word: string): word is OrderingOperator =>
  (ORDERING_OPERATORS as readonly string[]).includes(word);

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: ComparisonOperator; property: PropertyRef; value: FilterValue }
  | { kind: 'in'; property: PropertyRef; values: FilterValue[] }
  | { kind: 'startswith'; property: PropertyRef; prefix: string }
  | { kind: 'any'; collection: CollectionSpec; variable: string; predicate: FilterNode };

const UNSUPPORTED_OPERATORS = new Set(['has', 'add', 'sub', 'mul', 'div', 'divby', 'mod']);

const withArticle = (type: string) => `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;

function unsupported(message: string): FoyerError {
  return new FoyerError('unsupportedQuery', `${message} in $filter`);
}

interface Lambda {
  variable: string;
  collectionName: string;
  collection: CollectionSpec;
}

class FilterParser {
  private index = 0;
  private depth = 0;
  private lambda: Lambda | undefined;

  constructor(
    private readonly tokens: Token[],
    private readonly entity: EntitySpec,
  ) {}

  parse(): FilterNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') {
      throw syntaxError(`unexpected ${describeToken(next)} at position ${next.position}`);
    }
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }

  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.value === word;
  }

  private expect(kind: Token['kind'], what: string, after: string): Token {
    const token = this.peek();
    if (token.kind !== kind) {
      throw syntaxError(`expected ${what} after '${after}' at position ${token.position}`);
    }
    return this.advance();
  }

  private nest<T>(parse: () => T): T {
    this.depth += 1;
    if (this.depth > MAX_FILTER_DEPTH) {
      throw unsupported(`Expression nested deeper than ${MAX_FILTER_DEPTH} levels`);
    }
    try {
      return parse();
    } finally {
      this.depth -= 1;
    }
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.isKeyword('or')) {
      this.advance();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.isKeyword('and')) {
      this.advance();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    if (this.isKeyword('not')) {
      this.advance();
      return this.nest(() => ({ kind: 'not', operand: this.parseUnary() }));
    }
    return this.parsePrimary();
  }

  private parsePrimary(): FilterNode {
    const token = this.peek();
    if (token.kind === 'lparen') {
      this.advance();
      const inner = this.nest(() => this.parseOr());
      this.expect('rparen', "')'", 'expression');
      return inner;
    }
    if (token.kind !== 'identifier') {
      throw syntaxError(`expected a property, found ${describeToken(token)} at position ${token.position}`);
    }
    if (this.peek(1).kind === 'lparen') return this.parseFunction();
    if (this.peek(1).kind === 'slash' && lookup(this.entity.collections, token.value) !== undefined) {
      return this.parseLambda();
    }
    const property = this.parseProperty();
    return this.parseComparison(property);
  }

  private parseFunction(): FilterNode {
    const name = this.advance();
    if (name.value !== 'startswith') throw unsupported(`Unsupported function '${name.value}'`);
    this.advance(); // '('
    const property = this.parseProperty();
    if (property.spec.type !== 'string') {
      throw unsupported(`startswith() is not supported on property '${property.name}'`);
    }
    this.expect('comma', "','", property.name);
    const prefix = this.peek();
    if (prefix.kind !== 'string') {
      throw syntaxError(`expected a string literal in startswith() at position ${prefix.position}`);
    }
    this.advance();
    this.expect('rparen', "')'", prefix.text);
    return { kind: 'startswith', property, prefix: prefix.value };
  }

  private parseLambda(): FilterNode {
    const name = this.advance().value;
    const collection = lookup(this.entity.collections, name)!;
    this.advance(); // '/'
    const operator = this.expect('identifier', "'any'", `${name}/`);
    if (operator.value !== 'any')
      throw unsupported(`Unsupported lambda operator '${name}/${operator.value}'`);
    if (this.lambda !== undefined) throw unsupported(`Nested lambda '${name}/any' is not supported`);
    this.expect('lparen', "'('", `${name}/any`);
    const variable = this.expect('identifier', 'a lambda variable', `${name}/any(`).value;
    this.expect('colon', "':'", variable);
    this.lambda = { variable, collectionName: name, collection };
    try {
      const predicate = this.nest(() => this.parseOr());
      this.expect('rparen', "')'", `${name}/any(…`);
      return { kind: 'any', collection, variable, predicate };
    } finally {
      this.lambda = undefined;
    }
  }

  private parseProperty(): PropertyRef {
    const head = this.peek();
    if (head.kind !== 'identifier') {
      throw syntaxError(`expected a property at position ${head.position}`);
    }
    this.advance();
    if (this.peek().kind === 'slash') {
      this.advance();
      const member = this.expect('identifier', 'a property name', `${head.value}/`).value;
      const path = `${head.value}/${member}`;
      const inLambda = this.lambda !== undefined && head.value === this.lambda.variable;
      // A lambda variable shadows a complex property of the same name, as it would in OData.
      const members = inLambda
        ? this.lambda?.collection.properties
        : lookup(this.entity.complexProperties, head.value);
      const spec = lookup(members, member);
      if (spec === undefined) throw unsupported(`Unsupported property '${path}'`);
      if (!spec.filterable) throw unsupported(`Property '${path}' is not supported`);
      return { name: path, spec, scope: inLambda ? { variable: head.value } : 'entity' };
    }
    const spec = lookup(this.entity.properties, head.value);
    if (spec === undefined) throw unsupported(`Unsupported property '${head.value}'`);
    if (!spec.filterable) throw unsupported(`Property '${head.value}' is not supported`);
    return { name: head.value, spec, scope: 'entity' };
  }

  private parseComparison(property: PropertyRef): FilterNode {
    const operator = this.peek();
    if (operator.kind !== 'identifier') {
      throw syntaxError(`expected an operator after '${property.name}' at position ${operator.position}`);
    }
    this.advance();
    if (operator.value === 'eq' || operator.value === 'ne') {
      const value = this.parseValue(property, operator.value, true);
      return { kind: 'compare', op: operator.value, property, value };
    }
    if (isOrdering(operator.value)) {
      if (property.spec.type !== 'datetime') {
        throw unsupported(
          `Operator '${operator.value}' is only supported on dateTime properties; '${property.name}' is ${withArticle(property.spec.type)} property`,
        );
      }
      const value = this.parseValue(property, operator.value, false);
      return { kind: 'compare', op: operator.value, property, value };
    }
    if (operator.value === 'in') return this.parseIn(property);
    if (UNSUPPORTED_OPERATORS.has(operator.value))
      throw unsupported(`Unsupported operator '${operator.value}'`);
    throw syntaxError(`unknown operator '${operator.value}' at position ${operator.position}`);
  }

  private parseIn(property: PropertyRef): FilterNode {
    this.expect('lparen', "'('", 'in');
    const values: FilterValue[] = [this.parseValue(property, 'in', false)];
    while (this.peek().kind === 'comma') {
      this.advance();
      values.push(this.parseValue(property, ',', false));
      if (values.length > MAX_IN_VALUES) {
        throw unsupported(`Too many values in 'in' for '${property.name}' (max ${MAX_IN_VALUES})`);
      }
    }
    this.expect('rparen', "')'", 'in (…');
    return { kind: 'in', property, values };
  }

  private parseValue(property: PropertyRef, after: string, allowNull: boolean): FilterValue {
    const token = this.peek();
    const isLiteral =
      token.kind === 'string' ||
      token.kind === 'guid' ||
      token.kind === 'datetime' ||
      token.kind === 'number' ||
      (token.kind === 'identifier' && ['true', 'false', 'null'].includes(token.value));
    if (!isLiteral) throw syntaxError(`expected a value after '${after}' at position ${token.position}`);
    this.advance();
    if (token.kind === 'identifier' && token.value === 'null') {
      if (allowNull) return null;
      if (isOrdering(after))
        throw unsupported(`null cannot be compared with '${after}' for '${property.name}'`);
      throw unsupported(`null is not allowed in 'in' for '${property.name}'`);
    }
    const value = coerce(property.spec, token);
    if (value === undefined) {
      // Graph writes dateTime literals unquoted (createdDateTime ge 2026-01-01T00:00:00Z); say so, since a
      // missing zone or a '+' decoded to a space by the query string are the usual mistakes.
      const hint =
        property.spec.type === 'datetime'
          ? ': write an ISO 8601 date and time with a time zone, unquoted, e.g. 2026-01-01T00:00:00Z (URL-encode a + offset as %2B)'
          : '';
      throw unsupported(
        `Property '${property.name}' expects ${withArticle(property.spec.type)} value, got ${token.text} at position ${token.position}${hint}`,
      );
    }
    return value;
  }
}

export function parseFilter(text: string, entity: EntitySpec): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) {
    throw unsupported(`Expression longer than ${MAX_FILTER_LENGTH} characters`);
  }
  if (text.trim() === '') throw syntaxError('empty expression');
  return new FilterParser(tokenize(text), entity).parse();
}
