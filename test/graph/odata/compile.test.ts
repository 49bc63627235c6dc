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
import { usersEntity } from './fixtures.js';

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
