import { describe, expect, it } from 'vitest';
import { FoyerError } from '../../../src/errors/catalogue.js';
import {
  DEFAULT_TOP,
  decodeSkipToken,
  encodeSkipToken,
  parseQueryOptions,
  parseSearch,
} from '../../../src/graph/odata/index.js';
import { usersEntity } from './fixtures.js';

const parse = (query: Record<string, unknown>) => parseQueryOptions(query, usersEntity);

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(FoyerError);
    expect((error as FoyerError).code).toBe('Request_UnsupportedQuery');
    return (error as FoyerError).message;
  }
  throw new Error('expected a rejection');
}

describe('parseQueryOptions', () => {
  it('applies defaults and ignores route parameters without $', () => {
    expect(parse({ tenant: 'x' })).toEqual({
      top: DEFAULT_TOP,
      count: false,
      orderBy: { property: 'displayName', direction: 'asc' },
    });
  });

  it('parses every option, accepting single-element arrays', () => {
    const options = parse({
      $filter: ["userType eq 'Guest'"],
      $select: 'id, displayName,mail,id',
      $top: '25',
      $orderby: 'createdDateTime desc',
      $count: 'true',
      $search: '"displayName:ada"',
    });
    expect(options.select).toEqual(['id', 'displayName', 'mail']);
    expect(options.top).toBe(25);
    expect(options.orderBy).toEqual({ property: 'createdDateTime', direction: 'desc' });
    expect(options.count).toBe(true);
    expect(options.filter?.kind).toBe('compare');
    expect(options.search).toEqual([[{ property: 'displayName', term: 'ada' }]]);
  });

  it.each([
    [{ $top: '100000' }, "Invalid value '100000' for $top: the maximum is 999"],
    [{ $top: '0' }, "Invalid value '0' for $top"],
    [{ $top: '-1' }, "Invalid value '-1' for $top"],
    [{ $top: '10abc' }, "Invalid value '10abc' for $top"],
    [{ $filter: 'foo eq' }, "Unsupported property 'foo' in $filter"],
    [{ $select: 'displayName,foo' }, "Unsupported property 'foo' in $select"],
    [{ $select: 'displayName,,mail' }, 'Syntax error: empty property name in $select'],
    [{ $orderby: 'mail' }, "Property 'mail' is not supported in $orderby"],
    [{ $orderby: 'nope asc' }, "Unsupported property 'nope' in $orderby"],
    [{ $orderby: 'displayName sideways' }, "Syntax error: cannot parse 'displayName sideways' in $orderby"],
    [{ $orderby: 'displayName,createdDateTime' }, 'more than one property'],
    [{ $count: 'yes' }, "Invalid value 'yes' for $count"],
    [{ $expand: 'manager' }, "Unsupported query option '$expand'"],
    [{ $skip: '10' }, "Unsupported query option '$skip'"],
    [{ $foo: '1' }, "Unsupported query option '$foo'"],
    [{ $filter: ["mail eq 'a'", "mail eq 'b'"] }, "Query option '$filter' must be given once"],
    [{ $top: '1', $TOP: '2' }, "Query option '$top' must be given once"],
    [{ $top: 5 }, "Query option '$top' must be a string"],
    [{ $skiptoken: 'garbage!' }, 'Invalid $skiptoken'],
  ])('rejects %o', (query, message) => {
    expect(rejection(() => parse(query))).toContain(message);
  });
});

describe('$search', () => {
  const search = (text: string) => parseSearch(text, usersEntity);

  it('parses clauses joined by AND / OR, AND binding tighter', () => {
    expect(search('"displayName:ada" OR "mail:ada@x" AND "displayName:love"')).toEqual([
      [{ property: 'displayName', term: 'ada' }],
      [
        { property: 'mail', term: 'ada@x' },
        { property: 'displayName', term: 'love' },
      ],
    ]);
    expect(search('"displayName:say \\"hi\\""')).toEqual([[{ property: 'displayName', term: 'say "hi"' }]]);
  });

  it.each([
    ['displayName:ada', 'expected a quoted "property:term" clause at position 0 in $search'],
    ['"ada"', 'must have the form "property:term" in $search'],
    ['"jobTitle:dev"', "Property 'jobTitle' is not supported in $search"],
    ['"nope:dev"', "Unsupported property 'nope' in $search"],
    ['"displayName:ada" "mail:x"', 'expected AND or OR at position 18 in $search'],
    ['"displayName:ada" OR', 'expected a quoted "property:term" clause at position 20'],
    ['"displayName:ada', 'unterminated quoted clause starting at position 0'],
    ['"displayName: "', "Empty search term for 'displayName'"],
  ])('rejects %s', (text, message) => {
    expect(rejection(() => search(text))).toContain(message);
  });
});

describe('$skiptoken', () => {
  const orderBy = { property: 'displayName', direction: 'asc' as const };

  it('round-trips and is opaque base64url', () => {
    const token = encodeSkipToken({ value: "O'Brien", key: 'k1', orderBy });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeSkipToken(token, orderBy)).toEqual({ value: "O'Brien", key: 'k1', orderBy });
    expect(parse({ $skiptoken: token }).skipToken).toEqual({ value: "O'Brien", key: 'k1', orderBy });
  });

  it('rejects garbled, tampered or mismatched tokens', () => {
    const token = encodeSkipToken({ value: 'a', key: 'k', orderBy });
    const encode = (payload: unknown) => Buffer.from(JSON.stringify(payload)).toString('base64url');
    expect(rejection(() => decodeSkipToken(token.slice(0, -3), orderBy))).toContain('Invalid $skiptoken');
    expect(rejection(() => decodeSkipToken('', orderBy))).toContain('Invalid $skiptoken');
    expect(rejection(() => decodeSkipToken(encode([1, 2]), orderBy))).toContain('Invalid $skiptoken');
    expect(
      rejection(() => decodeSkipToken(encode({ v: {}, k: 'k', o: 'displayName', d: 'asc' }), orderBy)),
    ).toContain('Invalid $skiptoken');
    expect(
      rejection(() => decodeSkipToken(encode({ v: 'a', k: 'k', o: 'displayName', d: 'up' }), orderBy)),
    ).toContain('Invalid $skiptoken');
    expect(rejection(() => parse({ $skiptoken: token, $orderby: 'displayName desc' }))).toBe(
      'Invalid $skiptoken: it was issued for a different $orderby',
    );
    expect(rejection(() => parse({ $skiptoken: token, $orderby: 'createdDateTime' }))).toContain(
      'Invalid $skiptoken',
    );
  });
});
