import type { Insertable, Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FoyerError } from '../../../src/errors/catalogue.js';
import { applyFilter, applyQuery, pageResult, parseQueryOptions } from '../../../src/graph/odata/index.js';
import { createTables, type TestDatabase, testDialects, type UsersTable } from './dialects.js';
import { usersEntity } from './fixtures.js';

const TENANT_A = 'tenant-a';
const TENANT_B = 'tenant-b';
const TENANT_PAGING = 'tenant-paging';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const day = (n: number) => new Date(Date.UTC(2024, 0, n)).toISOString();

function user(n: number, fields: Partial<UsersTable>): Insertable<TestDatabase['users']> {
  return {
    tenant_id: TENANT_A,
    id: id(n),
    display_name: null,
    mail: null,
    user_principal_name: `user${n}@example.com`,
    user_type: 'Member',
    account_enabled: 1,
    external_user_state: null,
    creation_type: null,
    created_at: day(n),
    job_title: null,
    ...fields,
  };
}

const tenantA = [
  user(1, { display_name: 'Ada Lovelace', mail: 'ada@example.com' }),
  user(2, { display_name: 'Alan Turing', mail: 'Alan@Example.com' }),
  user(3, {
    display_name: 'Grace Hopper',
    mail: 'grace@contoso.com',
    user_type: 'Guest',
    external_user_state: 'PendingAcceptance',
    creation_type: 'Invitation',
  }),
  user(4, {
    display_name: "Barbara O'Brien",
    user_type: 'Guest',
    external_user_state: 'Accepted',
    creation_type: 'Invitation',
    account_enabled: 0,
  }),
  user(5, { display_name: '100% Real', mail: 'pct@example.com' }),
  user(6, { display_name: '100X Real', mail: 'x@example.com' }),
  user(7, { account_enabled: 0 }),
  user(8, { display_name: 'a_b', mail: 'ab@example.com' }),
  user(9, { display_name: 'axb', mail: 'axb@example.com' }),
];

/** Everything in tenant A, in default order: lower(displayName) with null as '', then id. */
const ALL_A = [
  '(null)',
  '100% Real',
  '100X Real',
  'a_b',
  'Ada Lovelace',
  'Alan Turing',
  'axb',
  "Barbara O'Brien",
  'Grace Hopper',
];
const except = (...names: string[]) => ALL_A.filter((name) => !names.includes(name));

describe.each(testDialects())('OData on $name', (dialect) => {
  let db: Kysely<TestDatabase>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, close } = await dialect.open());
    await createTables(db);
    await db
      .insertInto('users')
      .values([
        ...tenantA,
        // Same id and identity issuer in another tenant: must never leak into tenant A's results.
        user(1, {
          tenant_id: TENANT_B,
          display_name: 'Ada Lovelace',
          mail: 'ada@example.com',
          user_type: 'Guest',
        }),
      ])
      .execute();
    const identity = (tenant: string, n: number, issuer: string, assigned: string | null) => ({
      tenant_id: tenant,
      user_id: id(n),
      issuer,
      issuer_assigned_id: assigned,
      sign_in_type: 'federated',
    });
    await db
      .insertInto('user_identities')
      .values([
        identity(TENANT_A, 1, 'example.com', 'ada@example.com'),
        identity(TENANT_A, 2, 'Example.com', 'alan'),
        identity(TENANT_A, 3, 'contoso.com', 'grace'),
        identity(TENANT_A, 3, 'mail', null),
        identity(TENANT_B, 1, 'leak.com', 'ada'),
        identity(TENANT_B, 2, 'leak.com', 'alan'),
      ])
      .execute();
  });

  afterAll(async () => {
    await close?.();
  });

  async function list(query: Record<string, string>, tenant = TENANT_A) {
    const options = parseQueryOptions(query, usersEntity);
    const rows = await db
      .selectFrom('users')
      .selectAll()
      .$call((qb) => applyQuery(qb, tenant, options, usersEntity))
      .execute();
    const page = pageResult(rows, options, usersEntity);
    return { names: page.items.map((row) => row.display_name ?? '(null)'), next: page.nextSkipToken };
  }

  async function count(query: Record<string, string>, tenant = TENANT_A) {
    const options = parseQueryOptions(query, usersEntity);
    const row = await db
      .selectFrom('users')
      .$call((qb) => applyFilter(qb, tenant, options, usersEntity))
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  it.each([
    ["displayName eq 'ada lovelace'", ['Ada Lovelace']],
    ["mail eq 'alan@example.com'", ['Alan Turing']],
    ["displayName eq 'x'' or 1 eq 1'", []],
    ["displayName eq 'Barbara O''Brien'", ["Barbara O'Brien"]],
    ["userType eq 'Guest'", ["Barbara O'Brien", 'Grace Hopper']],
    ["externalUserState ne 'Accepted'", except("Barbara O'Brien")],
    ["not (externalUserState eq 'Accepted')", except("Barbara O'Brien")],
    ["not (mail eq 'ada@example.com')", except('Ada Lovelace')],
    ['mail eq null', ['(null)', "Barbara O'Brien"]],
    ['mail ne null', except('(null)', "Barbara O'Brien")],
    ['accountEnabled eq false', ['(null)', "Barbara O'Brien"]],
    // dateTime ordering: user n was created on 2024-01-0n at midnight UTC.
    [
      'createdDateTime ge 2024-01-03T00:00:00Z and createdDateTime lt 2024-01-06',
      ['100% Real', "Barbara O'Brien", 'Grace Hopper'],
    ],
    ['createdDateTime gt 2024-01-08T00:00:00Z', ['axb']],
    ['createdDateTime le 2024-01-02T01:00:00+02:00', ['Ada Lovelace']],
    ['not (createdDateTime lt 2024-01-09T00:00:00.000Z)', ['axb']],
    ["startswith(displayName,'100%')", ['100% Real']],
    ["startswith(displayName,'a_')", ['a_b']],
    ["startswith(displayName,'AL')", ['Alan Turing']],
    ["not startswith(displayName,'a')", except('a_b', 'Ada Lovelace', 'Alan Turing', 'axb')],
    ["userType in ('member') and startswith(displayName,'a')", ['a_b', 'Ada Lovelace', 'Alan Turing', 'axb']],
    ["mail in ('ADA@example.com', 'grace@contoso.com')", ['Ada Lovelace', 'Grace Hopper']],
    ["identities/any(i:i/issuer eq 'example.com')", ['Ada Lovelace', 'Alan Turing']],
    [
      "identities/any(i:i/issuer eq 'example.com' and i/issuerAssignedId eq 'ada@example.com')",
      ['Ada Lovelace'],
    ],
    ["identities/any(i:i/issuer eq 'mail' and i/issuerAssignedId eq null)", ['Grace Hopper']],
    ["identities/any(i:i/issuer eq 'leak.com')", []],
    [
      "not identities/any(i:i/issuer eq 'example.com') and userType eq 'Guest'",
      ["Barbara O'Brien", 'Grace Hopper'],
    ],
    [
      "creationType eq 'Invitation' or mail eq 'x@example.com'",
      ['100X Real', "Barbara O'Brien", 'Grace Hopper'],
    ],
    ['createdDateTime eq 2024-01-03T00:00:00Z', ['Grace Hopper']],
    [`id eq ${id(4).toUpperCase()}`, ["Barbara O'Brien"]],
  ])('$filter=%s', async (filter, expected) => {
    expect((await list({ $filter: filter })).names).toEqual(expected);
  });

  it.each([
    ['"displayName:LOVE"', ['Ada Lovelace']],
    ['"mail:example.com" AND "displayName:real"', ['100% Real', '100X Real']],
    ['"displayName:100%"', ['100% Real']],
    ['"displayName:grace" OR "mail:alan"', ['Alan Turing', 'Grace Hopper']],
  ])('$search=%s', async (search, expected) => {
    expect((await list({ $search: search })).names).toEqual(expected);
  });

  it('keeps tenants apart', async () => {
    expect((await list({}, TENANT_B)).names).toEqual(['Ada Lovelace']);
    expect((await list({}, TENANT_A)).names).toEqual(ALL_A);
  });

  it('orders by createdDateTime desc and counts with the same filter', async () => {
    const page = await list({ $orderby: 'createdDateTime desc', $top: '3' });
    expect(page.names).toEqual(['axb', 'a_b', '(null)']);
    expect(page.next).toBeDefined();
    expect(await count({ $filter: "userType eq 'Member'" })).toBe(7);
    expect(await count({ $filter: "userType eq 'Member'", $search: '"displayName:real"' })).toBe(2);
    expect(await count({}, TENANT_B)).toBe(1);
  });

  describe('keyset paging', () => {
    const names = [
      ...Array.from({ length: 18 }, (_, i) => `User ${String(i + 1).padStart(2, '0')}`),
      ...Array.from({ length: 5 }, () => 'Same Name'),
      'user 05',
    ];

    beforeAll(async () => {
      await db
        .insertInto('users')
        .values(names.map((name, i) => user(100 + i, { tenant_id: TENANT_PAGING, display_name: name })))
        .execute();
    });

    async function walk(query: Record<string, string>, between?: (page: number) => Promise<void>) {
      const seen: string[][] = [];
      let skiptoken: string | undefined;
      for (let page = 0; page < 50; page += 1) {
        const result = await list(
          { ...query, ...(skiptoken ? { $skiptoken: skiptoken } : {}) },
          TENANT_PAGING,
        );
        seen.push(result.names);
        if (result.next === undefined) return seen;
        skiptoken = result.next;
        await between?.(page);
      }
      throw new Error('paging did not terminate');
    }

    it('walks every row exactly once, in the same order as one big page, ties broken by key', async () => {
      const all = (await list({ $top: '999' }, TENANT_PAGING)).names;
      expect(all).toHaveLength(names.length);
      const pages = await walk({ $top: '4' });
      expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 4, 4, 4]);
      expect(pages.flat()).toEqual(all);
      const descending = await walk({ $top: '5', $orderby: 'displayName desc' });
      expect(descending.flat()).toEqual([...all].reverse());
    });

    it('stays stable when rows are inserted between pages', async () => {
      const before = (await list({ $top: '999' }, TENANT_PAGING)).names;
      const pages = await walk({ $top: '4' }, async (page) => {
        // The first page ends inside the run of 'Same Name' rows (ids 118..122), at id 121.
        if (page !== 0) return;
        await db
          .insertInto('users')
          .values([
            user(500, { tenant_id: TENANT_PAGING, display_name: 'Aaron Early' }), // sorts before the cursor
            user(99, { tenant_id: TENANT_PAGING, display_name: 'Same Name' }), // tie, key before the cursor
            user(501, { tenant_id: TENANT_PAGING, display_name: 'Same Name' }), // tie, key after the cursor
            user(502, { tenant_id: TENANT_PAGING, display_name: 'Zed Late' }), // sorts after the cursor
          ])
          .execute();
      });
      const walked = pages.flat();
      expect(walked).not.toContain('Aaron Early');
      expect(walked).toContain('Zed Late');
      expect(walked.filter((name) => name === 'Same Name')).toHaveLength(6);
      const existing = walked.filter((name) => name !== 'Zed Late');
      existing.splice(existing.lastIndexOf('Same Name'), 1);
      expect(existing).toEqual(before);
    });

    it('rejects a skiptoken from a different $orderby', async () => {
      const { next } = await list({ $top: '2' }, TENANT_PAGING);
      await expect(
        list({ $top: '2', $orderby: 'createdDateTime', $skiptoken: next! }, TENANT_PAGING),
      ).rejects.toThrow(FoyerError);
    });
  });
});
