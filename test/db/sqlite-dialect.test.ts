import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connectDatabase } from '../../src/db/connect.js';
import type { Database } from '../../src/db/schema.js';

/**
 * SQLite writes integer LIMIT and OFFSET into the SQL text (src/db/sqlite-dialect.ts): a bound LIMIT made SQLite
 * compile the statement again on every run. Anything that is not an integer stays a parameter.
 */
describe('the SQLite dialect', () => {
  const open = async () => (await connectDatabase('sqlite::memory:')).db as Kysely<Database>;

  it('writes an integer limit and offset into the statement, and the rows are the ones asked for', async () => {
    const db = await open();
    const query = db
      .selectFrom(
        sql<{ n: number }>`(select 1 as n union all select 2 union all select 3 union all select 4)`.as('t'),
      )
      .select('n')
      .orderBy('n')
      .limit(2)
      .offset(1);
    const compiled = query.compile();
    expect(compiled.sql).toMatch(/ limit 2 offset 1$/);
    expect(compiled.parameters).toEqual([]);
    expect((await query.execute()).map((row) => row.n)).toEqual([2, 3]);
    await db.destroy();
  });

  it('keeps anything else a parameter: a value that is not a safe integer never reaches the SQL text', async () => {
    const db = await open();
    for (const value of ['1; drop table users', 1.5, 2 ** 60]) {
      const compiled = db
        .selectFrom('users')
        .select('id')
        .limit(value as number)
        .compile();
      expect(compiled.sql).toMatch(/ limit \?$/);
      expect(compiled.parameters).toEqual([value]);
    }
    await db.destroy();
  });
});
