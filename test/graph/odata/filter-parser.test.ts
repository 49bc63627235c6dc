import { describe, expect, it } from 'vitest';
import { FoyerError } from '../../../src/errors/catalogue.js';
import { type FilterNode, MAX_FILTER_LENGTH, parseFilter } from '../../../src/graph/odata/index.js';
import { eventsEntity, usersEntity } from './fixtures.js';

const parse = (text: string) => parseFilter(text, usersEntity);

/** The parsed tree with descriptors stripped, so expectations stay readable. */
function shape(node: FilterNode): unknown {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { [node.kind]: [shape(node.left), shape(node.right)] };
    case 'not':
      return { not: shape(node.operand) };
    case 'compare':
      return [node.property.name, node.op, node.value];
    case 'in':
      return [node.property.name, 'in', node.values];
    case 'startswith':
      return ['startswith', node.property.name, node.prefix];
    case 'any':
      return { any: node.variable, predicate: shape(node.predicate) };
  }
}

function rejection(text: string): FoyerError {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FoyerError);
    const foyerError = error as FoyerError;
    expect(foyerError.key).toBe('unsupportedQuery');
    expect(foyerError.status).toBe(400);
    expect(foyerError.code).toBe('Request_UnsupportedQuery');
    return foyerError;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('parseFilter: supported forms', () => {
  it.each([
    ["displayName eq 'Ada'", ['displayName', 'eq', 'Ada']],
    ["mail ne 'a@x'", ['mail', 'ne', 'a@x']],
    ['mail eq null', ['mail', 'eq', null]],
    ['mail ne null', ['mail', 'ne', null]],
    ['accountEnabled eq true', ['accountEnabled', 'eq', 1]],
    ['accountEnabled eq false', ['accountEnabled', 'eq', 0]],
    ["userType eq 'guest'", ['userType', 'eq', 'Guest']],
    ['id eq 6F9619FF-8B86-D011-B42D-00C04FC964FF', ['id', 'eq', '6f9619ff-8b86-d011-b42d-00c04fc964ff']],
    ["id eq '6f9619ff-8b86-d011-b42d-00c04fc964ff'", ['id', 'eq', '6f9619ff-8b86-d011-b42d-00c04fc964ff']],
    ['createdDateTime eq 2024-01-02T03:04:05Z', ['createdDateTime', 'eq', '2024-01-02T03:04:05.000Z']],
    ['createdDateTime eq 2024-02-29', ['createdDateTime', 'eq', '2024-02-29T00:00:00.000Z']],
    ["createdDateTime ne '2024-01-02T05:04:05+02:00'", ['createdDateTime', 'ne', '2024-01-02T03:04:05.000Z']],
    ["displayName eq 'O''Brien'", ['displayName', 'eq', "O'Brien"]],
    ["displayName eq ''", ['displayName', 'eq', '']],
    ["startswith(displayName,'Ad')", ['startswith', 'displayName', 'Ad']],
    ["userType in ('Member', 'Guest')", ['userType', 'in', ['Member', 'Guest']]],
  ])('%s', (text, expected) => {
    expect(shape(parse(text))).toEqual(expected);
  });

  it('gives and precedence over or, and honours parentheses and not', () => {
    expect(shape(parse("mail eq 'a' or mail eq 'b' and userType eq 'Guest'"))).toEqual({
      or: [
        ['mail', 'eq', 'a'],
        {
          and: [
            ['mail', 'eq', 'b'],
            ['userType', 'eq', 'Guest'],
          ],
        },
      ],
    });
    expect(shape(parse("(mail eq 'a' or mail eq 'b') and not (userType eq 'Guest')"))).toEqual({
      and: [
        {
          or: [
            ['mail', 'eq', 'a'],
            ['mail', 'eq', 'b'],
          ],
        },
        { not: ['userType', 'eq', 'Guest'] },
      ],
    });
  });

  it('parses the identities lambda', () => {
    expect(
      shape(parse("identities/any(i:i/issuer eq 'contoso.com' and i/issuerAssignedId eq 'ada')")),
    ).toEqual({
      any: 'i',
      predicate: {
        and: [
          ['i/issuer', 'eq', 'contoso.com'],
          ['i/issuerAssignedId', 'eq', 'ada'],
        ],
      },
    });
  });

  it('reads an injection attempt as one string literal', () => {
    expect(shape(parse("displayName eq 'x'' or 1 eq 1'"))).toEqual(['displayName', 'eq', "x' or 1 eq 1"]);
  });
});

describe('parseFilter: rejections name the problem', () => {
  it.each([
    ["foo eq 'x'", "Unsupported property 'foo' in $filter"],
    ['foo eq', "Unsupported property 'foo' in $filter"],
    ["jobTitle eq 'x'", "Property 'jobTitle' is not supported in $filter"],
    ['displayName eq', "Syntax error: expected a value after 'eq' at position 14 in $filter"],
    [
      "displayName gt 'a'",
      "Operator 'gt' is only supported on dateTime properties; 'displayName' is a string property in $filter",
    ],
    ["displayName le 'a'", "Operator 'le' is only supported on dateTime properties"],
    [
      'accountEnabled ge true',
      "Operator 'ge' is only supported on dateTime properties; 'accountEnabled' is a boolean",
    ],
    [
      "id lt '6f9619ff-8b86-d011-b42d-00c04fc964ff'",
      "Operator 'lt' is only supported on dateTime properties",
    ],
    ['createdDateTime ge null', "null cannot be compared with 'ge' for 'createdDateTime' in $filter"],
    ['createdDateTime ge', "Syntax error: expected a value after 'ge' at position 18 in $filter"],
    [
      "createdDateTime gt 'yesterday'",
      "Property 'createdDateTime' expects a datetime value, got 'yesterday'",
    ],
    [
      'createdDateTime gt 2026',
      "Property 'createdDateTime' expects a datetime value, got 2026 at position 19",
    ],
    ['createdDateTime ge 2026-1-1', "Property 'createdDateTime' expects a datetime value, got 2026-1-1 at"],
    ['createdDateTime ge 2026-13-01T00:00:00Z', 'expects a datetime value, got 2026-13-01T00:00:00Z'],
    [
      'createdDateTime ge 2026-01-01T10:00:00',
      'got 2026-01-01T10:00:00 at position 19: write an ISO 8601 date and time with a time zone, unquoted, e.g. 2026-01-01T00:00:00Z',
    ],
    ['createdDateTime lt 2026-01-01T10:00:00 02:00', 'got 2026-01-01T10:00:00 at position 19'],
    ["displayName add 'a'", "Unsupported operator 'add' in $filter"],
    ["displayName like 'a'", "Syntax error: unknown operator 'like' at position 12 in $filter"],
    ["endswith(mail,'x')", "Unsupported function 'endswith' in $filter"],
    ["contains(displayName,'x')", "Unsupported function 'contains' in $filter"],
    ["tolower(mail) eq 'x'", "Unsupported function 'tolower' in $filter"],
    [
      'accountEnabled eq 1',
      "Property 'accountEnabled' expects a boolean value, got 1 at position 18 in $filter",
    ],
    ["accountEnabled eq 'true'", "Property 'accountEnabled' expects a boolean value, got 'true'"],
    ['displayName eq true', "Property 'displayName' expects a string value, got true"],
    ["userType eq 'Admin'", "Property 'userType' expects a string value, got 'Admin'"],
    ["id eq 'not-a-guid'", "Property 'id' expects a guid value, got 'not-a-guid'"],
    ["createdDateTime eq '2024-13-45'", "Property 'createdDateTime' expects a datetime value"],
    ['createdDateTime eq 2024-02-30', "Property 'createdDateTime' expects a datetime value"],
    ['createdDateTime eq 2024-01-01T24:00:00Z', "Property 'createdDateTime' expects a datetime value"],
    ["displayName eq 'a' mail", "Syntax error: unexpected 'mail' at position 19 in $filter"],
    ["(displayName eq 'a'", "Syntax error: expected ')'"],
    ["displayName eq 'a')", "Syntax error: unexpected ')' at position 18 in $filter"],
    ["displayName eq 'abc", 'Syntax error: unterminated string literal starting at position 15 in $filter'],
    ["displayName eq 'a' && mail eq 'b'", "Syntax error: unexpected character '&' at position 19 in $filter"],
    [
      "displayName eq 'a' and",
      'Syntax error: expected a property, found end of input at position 22 in $filter',
    ],
    ['', 'Syntax error: empty expression in $filter'],
    ['userType in ()', "Syntax error: expected a value after 'in' at position 13 in $filter"],
    ['mail in (null)', "null is not allowed in 'in' for 'mail' in $filter"],
    [
      "startswith(accountEnabled,'t')",
      "startswith() is not supported on property 'accountEnabled' in $filter",
    ],
    ['startswith(displayName, mail)', 'Syntax error: expected a string literal in startswith()'],
    ["identities/all(i:i/issuer eq 'x')", "Unsupported lambda operator 'identities/all' in $filter"],
    ["identities/any(i:x/issuer eq 'x')", "Unsupported property 'x/issuer' in $filter"],
    ["identities/any(i:i/nope eq 'x')", "Unsupported property 'i/nope' in $filter"],
    ["identities/any(i:i/signInType eq 'x')", "Property 'i/signInType' is not supported in $filter"],
    ["i/issuer eq 'x'", "Unsupported property 'i/issuer' in $filter"],
    ["manager/displayName eq 'x'", "Unsupported property 'manager/displayName' in $filter"],
    ["constructor eq 'x'", "Unsupported property 'constructor' in $filter"],
    ["'x' eq displayName", "Syntax error: expected a property, found 'x' at position 0 in $filter"],
    ["displayName eq 'a' or mail eq 1 add 2", "Property 'mail' expects a string value, got 1"],
  ])('%s', (text, message) => {
    expect(rejection(text).message).toContain(message);
  });

  it('caps in() at 15 values', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `'v${i}'`).join(',');
    expect(shape(parse(`mail in (${values(15)})`))).toMatchObject(['mail', 'in', expect.any(Array)]);
    expect(rejection(`mail in (${values(16)})`).message).toBe(
      "Too many values in 'in' for 'mail' (max 15) in $filter",
    );
  });

  it('bounds nesting depth and length', () => {
    expect(rejection(`${'('.repeat(40)}mail eq 'a'${')'.repeat(40)}`).message).toMatch(
      /nested deeper than \d+/,
    );
    expect(rejection(`${'not '.repeat(40)}mail eq 'a'`).message).toMatch(/nested deeper than \d+/);
    const long = Array.from({ length: 200 }, () => "mail eq 'a'").join(' or ');
    expect(long.length).toBeGreaterThan(MAX_FILTER_LENGTH);
    expect(rejection(long).message).toBe(`Expression longer than ${MAX_FILTER_LENGTH} characters in $filter`);
  });
});

describe('parseFilter: dateTime ordering and complex properties', () => {
  const parseEvents = (text: string) => parseFilter(text, eventsEntity);

  it.each([
    ['createdDateTime ge 2026-01-01T00:00:00Z', ['createdDateTime', 'ge', '2026-01-01T00:00:00.000Z']],
    ['createdDateTime gt 2026-01-01T00:00:00.5Z', ['createdDateTime', 'gt', '2026-01-01T00:00:00.500Z']],
    ['createdDateTime lt 2026-01-01T02:00:00+02:00', ['createdDateTime', 'lt', '2026-01-01T00:00:00.000Z']],
    ['createdDateTime le 2026-01-31', ['createdDateTime', 'le', '2026-01-31T00:00:00.000Z']],
    ["createdDateTime le '2026-01-31T00:00:00Z'", ['createdDateTime', 'le', '2026-01-31T00:00:00.000Z']],
  ])('%s', (text, expected) => {
    expect(shape(parse(text))).toEqual(expected);
  });

  it('combines a range with other comparisons', () => {
    expect(
      shape(
        parse(
          "createdDateTime ge 2026-01-01T00:00:00Z and createdDateTime lt 2026-02-01T00:00:00Z and userType eq 'Guest'",
        ),
      ),
    ).toEqual({
      and: [
        {
          and: [
            ['createdDateTime', 'ge', '2026-01-01T00:00:00.000Z'],
            ['createdDateTime', 'lt', '2026-02-01T00:00:00.000Z'],
          ],
        },
        ['userType', 'eq', 'Guest'],
      ],
    });
  });

  it('reads a complex property member as an integer', () => {
    expect(shape(parseEvents('status/errorCode eq 50126'))).toEqual(['status/errorCode', 'eq', 50126]);
    expect(shape(parseEvents('status/errorCode ne 0'))).toEqual(['status/errorCode', 'ne', 0]);
    expect(shape(parseEvents('status/errorCode in (50126, 50053)'))).toEqual([
      'status/errorCode',
      'in',
      [50126, 50053],
    ]);
    expect(shape(parseEvents('reviewedDateTime lt 2026-01-01T00:00:00Z'))).toEqual([
      'reviewedDateTime',
      'lt',
      '2026-01-01T00:00:00.000Z',
    ]);
  });

  it.each([
    ["status/errorCode eq '50126'", "Property 'status/errorCode' expects an integer value, got '50126'"],
    ['status/errorCode eq 501.26', "Property 'status/errorCode' expects an integer value, got 501.26"],
    ['status/errorCode eq 99999999999', "Property 'status/errorCode' expects an integer value"],
    [
      'status/errorCode gt 0',
      "Operator 'gt' is only supported on dateTime properties; 'status/errorCode' is an integer",
    ],
    ["status/failureReason eq 'x'", "Property 'status/failureReason' is not supported in $filter"],
    ["status/nope eq 'x'", "Unsupported property 'status/nope' in $filter"],
    ['status eq 0', "Property 'status' is not supported in $filter"],
    ['archivedDateTime ge 2026-01-01T00:00:00Z', "Property 'archivedDateTime' is not supported in $filter"],
  ])('rejects %s', (text, message) => {
    expect(() => parseEvents(text)).toThrow(message);
  });
});
