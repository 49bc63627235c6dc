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

export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; operand: FilterNode }
  | { kind: 'compare'; op: 'eq' | 'ne'; property: PropertyRef; value: FilterValue }
  | { kind: 'in'; property: PropertyRef; values: FilterValue[] }
  | { kind: 'startswith'; property: PropertyRef; prefix: string }
  | { kind: 'any'; collection: CollectionSpec; variable: string; predicate: FilterNode };

const UNSUPPORTED_OPERATORS = new Set([
  'gt',
  'ge',
  'lt',
  'le',
  'has',
  'add',
  'sub',
  'mul',
  'div',
  'divby',
  'mod',
]);

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
      if (this.lambda === undefined || head.value !== this.lambda.variable) {
        throw unsupported(`Unsupported property '${path}'`);
      }
      const spec = lookup(this.lambda.collection.properties, member);
      if (spec === undefined) throw unsupported(`Unsupported property '${path}'`);
      if (!spec.filterable) throw unsupported(`Property '${path}' is not supported`);
      return { name: path, spec, scope: { variable: this.lambda.variable } };
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
      if (!allowNull) throw unsupported(`null is not allowed in 'in' for '${property.name}'`);
      return null;
    }
    const value = coerce(property.spec, token);
    if (value === undefined) {
      throw unsupported(
        `Property '${property.name}' expects a ${property.spec.type} value, got ${token.text} at position ${token.position}`,
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
