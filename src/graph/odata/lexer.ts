import { FoyerError } from '../../errors/catalogue.js';

/**
 * Splits a $filter string into tokens. Keywords (eq, and, true, null, …) come out as identifiers and are
 * recognised by the parser, which knows where each one may appear.
 */
export type TokenKind =
  | 'identifier'
  | 'string'
  | 'guid'
  | 'datetime'
  | 'number'
  | 'lparen'
  | 'rparen'
  | 'comma'
  | 'colon'
  | 'slash'
  | 'end';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for messages). */
  text: string;
  /** For strings: the unescaped content. For other kinds: same as text. */
  value: string;
  /** 0-based offset in the $filter string. */
  position: number;
}

export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Order matters: a bare GUID or date starts with digits (or hex letters) and must win over number/identifier.
const GUID = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\w-])/y;
const DATETIME = /\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?(?![\w-])/y;
// Anything that starts like a date but is not one (2026-1-1, 2026-01-01T10:00 without a zone) is kept whole,
// so the parser can say which property wanted a dateTime instead of stopping at an unexpected '-'.
const MALFORMED_DATETIME = /\d+-[0-9A-Za-z:.+-]*/y;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s+/y;

const PUNCTUATION: Record<string, TokenKind> = {
  '(': 'lparen',
  ')': 'rparen',
  ',': 'comma',
  ':': 'colon',
  '/': 'slash',
};

/** How a token is named in messages: string literals already carry their quotes. */
export function describeToken(token: Token): string {
  if (token.kind === 'end') return 'end of input';
  return token.kind === 'string' ? token.text : `'${token.text}'`;
}

export function syntaxError(message: string, option = '$filter'): FoyerError {
  return new FoyerError('unsupportedQuery', `Syntax error: ${message} in ${option}`);
}

function matchAt(pattern: RegExp, text: string, position: number): string | undefined {
  pattern.lastIndex = position;
  return pattern.exec(text)?.[0];
}

/** Reads a single-quoted OData string literal; a quote inside is written twice ('O''Brien'). */
function readString(text: string, start: number): Token {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const char = text[position];
    if (char === "'") {
      if (text[position + 1] === "'") {
        value += "'";
        position += 2;
        continue;
      }
      return { kind: 'string', text: text.slice(start, position + 1), value, position: start };
    }
    value += char;
    position += 1;
  }
  throw syntaxError(`unterminated string literal starting at position ${start}`);
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < text.length) {
    const space = matchAt(WHITESPACE, text, position);
    if (space !== undefined) {
      position += space.length;
      continue;
    }
    const char = text[position] ?? '';
    const punctuation = PUNCTUATION[char];
    if (punctuation !== undefined) {
      tokens.push({ kind: punctuation, text: char, value: char, position });
      position += 1;
      continue;
    }
    if (char === "'") {
      const token = readString(text, position);
      tokens.push(token);
      position += token.text.length;
      continue;
    }
    const token = readWord(text, position);
    if (token === undefined) {
      throw syntaxError(`unexpected character '${char}' at position ${position}`);
    }
    tokens.push(token);
    position += token.text.length;
  }
  tokens.push({ kind: 'end', text: '', value: '', position: text.length });
  return tokens;
}

function readWord(text: string, position: number): Token | undefined {
  const candidates: [TokenKind, RegExp][] = [
    ['guid', GUID],
    ['datetime', DATETIME],
    ['datetime', MALFORMED_DATETIME],
    ['number', NUMBER],
    ['identifier', IDENTIFIER],
  ];
  for (const [kind, pattern] of candidates) {
    const word = matchAt(pattern, text, position);
    if (word !== undefined) return { kind, text: word, value: word, position };
  }
  return undefined;
}
