import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { describe, expect, it } from 'vitest';
import { applyQuery, compileFilter, parseFilter, parseQueryOptions } from '../../../src/graph/odata/index.js';
import type { TestDatabase } from './dialects.js';
import { eventsEntity, usersEntity } from './fixtures.js';

/** Compile-only databases: the SQL text is what each dialect would receive. */
const compilers = {
  sqlite: new Kysely<TestDatabase>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  }),
  postgres: new Kysely<TestDatabase>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  }),
};

function where(filter: string, dialect: keyof typeof compilers = 'sqlite') {
  const expression = compileFilter(parseFilter(filter, usersEntity), usersEntity);
  const { sql, parameters } = compilers[dialect].selectFrom('users').select('id').where(expression).compile();
  return { sql: sql.replace(/^select "id" from "users" where /, ''), parameters };
}

describe('compileFilter', () => {
  it('binds an injection attempt as a single parameter', () => {
    expect(where("displayName eq 'x'' or 1 eq 1'")).toEqual({
      sql: '("users"."display_name" is not null and lower("users"."display_name") = lower(?))',
      parameters: ["x' or 1 eq 1"],
    });
  });

  it('stores booleans as 0/1 and keeps non-nullable comparisons plain', () => {
    expect(where('accountEnabled eq true')).toEqual({
      sql: '"users"."account_enabled" = ?',
      parameters: [1],
    });
    expect(where("userType ne 'Guest'")).toEqual({ sql: '"users"."user_type" <> ?', parameters: ['Guest'] });
  });

  it('gives ne on a nullable column is-distinct-from semantics', () => {
    expect(where("externalUserState ne 'Accepted'").sql).toBe(
      '("users"."external_user_state" <> ? or "users"."external_user_state" is null)',
    );
    expect(where('mail eq null').sql).toBe('"users"."mail" is null');
    expect(where('mail ne null').sql).toBe('"users"."mail" is not null');
  });

  it('escapes LIKE wildcards in startswith', () => {
    expect(where("startswith(userPrincipalName,'50%_off\\')")).toEqual({
      sql: `lower("users"."user_principal_name") like lower(?) escape '\\'`,
      parameters: ['50\\%\\_off\\\\%'],
    });
  });

  it('correlates the lambda on key and tenant', () => {
    expect(where("identities/any(x:x/issuer eq 'a')", 'postgres')).toEqual({
      sql:
        'exists (select 1 from "user_identities" as "odata_x_0" where ("odata_x_0"."user_id" = "users"."id" and ' +
        '"odata_x_0"."tenant_id" = "users"."tenant_id" and lower("odata_x_0"."issuer") = lower($1)))',
      parameters: ['a'],
    });
  });

  it('compares dateTime properties with bound, normalised ISO text', () => {
    expect(where('createdDateTime ge 2026-01-01T01:00:00+01:00')).toEqual({
      sql: '"users"."created_at" >= ?',
      parameters: ['2026-01-01T00:00:00.000Z'],
    });
    expect(where('createdDateTime lt 2026-01-02 and createdDateTime gt 2025-12-31', 'postgres')).toEqual({
      sql: '("users"."created_at" < $1 and "users"."created_at" > $2)',
      parameters: ['2026-01-02T00:00:00.000Z', '2025-12-31T00:00:00.000Z'],
    });
  });

  it('keeps ordering on a nullable dateTime two-valued, so not() includes rows without a value', () => {
    const reviewed = (filter: string) => {
      const expression = compileFilter(parseFilter(filter, eventsEntity), eventsEntity);
      return compilers.sqlite.selectFrom('users').select('id').where(expression).compile().sql;
    };
    expect(reviewed('reviewedDateTime le 2026-01-01T00:00:00Z')).toContain(
      'where ("events"."reviewed_at" is not null and "events"."reviewed_at" <= ?)',
    );
  });

  it('compiles a complex property member onto its column', () => {
    const expression = compileFilter(parseFilter('status/errorCode eq 50126', eventsEntity), eventsEntity);
    expect(compilers.postgres.selectFrom('users').select('id').where(expression).compile()).toMatchObject({
      sql: 'select "id" from "users" where "events"."error_code" = $1',
      parameters: [50126],
    });
  });

  it('parenthesises not and in', () => {
    expect(where("not (userType in ('Guest','Member'))", 'postgres').sql).toBe(
      'not ("users"."user_type" in ($1, $2))',
    );
  });
});

describe('applyQuery', () => {
  it('scopes to the tenant, orders by (sort, key) and fetches top + 1', () => {
    const options = parseQueryOptions({ $top: '10', $orderby: 'displayName desc' }, usersEntity);
    const query = applyQuery(
      compilers.postgres.selectFrom('users').selectAll(),
      'tenant-a',
      options,
      usersEntity,
    );
    expect(query.compile()).toMatchObject({
      sql:
        'select * from "users" where "users"."tenant_id" = $1 ' +
        `order by lower(coalesce("users"."display_name", '')) desc, "users"."id" desc limit $2`,
      parameters: ['tenant-a', 11],
    });
  });
});
