import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type Db } from '../../src/db/connect.js';
import { commitGroupOf } from '../../src/db/group-commit.js';
import { freshDatabase } from '../helpers/database.js';

/**
 * Group commit (src/db/group-commit.ts) on a real SQLite file, read back through a second connection as another
 * process would: a unit is answered only once it is committed, a failing unit is undone alone, and a COMMIT that
 * fails answers every unit of the group with the failure and keeps none of them.
 */
describe('group commit on sqlite', () => {
  let database: (Db & { url: string }) | undefined;
  let reader: Db | undefined;
  afterEach(async () => {
    await reader?.close();
    await database?.close();
  });

  async function setUp() {
    database = await freshDatabase('sqlite', { sqliteFile: true });
    await sql`create table probe (id text primary key, parent text references probe (id) deferrable initially deferred)`.execute(
      database.db,
    );
    reader = await connectDatabase(database.url);
    return { db: database.db, group: commitGroupOf(database.db, 'sqlite') };
  }

  const committedIds = async () =>
    (await sql<{ id: string }>`select id from probe order by id`.execute(reader!.db)).rows.map((r) => r.id);

  it('answers each unit only after the shared COMMIT: the other connection already sees its row', async () => {
    const { group } = await setUp();
    const seenOnAnswer: string[][] = [];
    const units = ['a', 'b', 'c', 'd'].map((id) =>
      group
        .run(async (trx) => {
          await sql`insert into probe (id) values (${id})`.execute(trx);
          return id;
        })
        .then(async (value) => {
          seenOnAnswer.push(await committedIds());
          return value;
        }),
    );
    expect(await Promise.all(units)).toEqual(['a', 'b', 'c', 'd']);
    for (const seen of seenOnAnswer) expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('undoes a failing unit alone; the others of its group commit', async () => {
    const { group } = await setUp();
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((id) =>
        group.run(async (trx) => {
          await sql`insert into probe (id) values (${id})`.execute(trx);
          if (id === 'b') throw new Error('refused b');
          return id;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused b');
    expect(await committedIds()).toEqual(['a', 'c']);
  });

  it('two failing units of one group: the re-run undoes each in its savepoint, the rest commit', async () => {
    const { group } = await setUp();
    const results = await Promise.allSettled(
      ['a', 'b', 'c', 'd'].map((id) =>
        group.run(async (trx) => {
          await sql`insert into probe (id) values (${id})`.execute(trx);
          if (id === 'b' || id === 'd') throw new Error(`refused ${id}`);
          return id;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('refused d');
    expect(await committedIds()).toEqual(['a', 'c']);
  });

  it('a single-statement unit alone runs in autocommit; among others it joins their one transaction', async () => {
    const { group } = await setUp();
    const before = database!.stats.count;
    await group.statement((db) => sql`insert into probe (id) values ('a')`.execute(db));
    // One statement, no BEGIN/COMMIT around it.
    expect(database!.stats.count - before).toBe(1);
    expect(await committedIds()).toEqual(['a']);

    const grouped = database!.stats.count;
    const seenOnAnswer: string[][] = [];
    await Promise.all(
      ['b', 'c', 'd'].map((id) =>
        group
          .statement((db) => sql`insert into probe (id) values (${id})`.execute(db))
          .then(async () => seenOnAnswer.push(await committedIds())),
      ),
    );
    // BEGIN, three inserts, COMMIT: each answered only once the shared COMMIT returned.
    expect(database!.stats.count - grouped).toBe(5);
    for (const seen of seenOnAnswer) expect(seen).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a failing single statement alone gets its error and leaves the connection usable', async () => {
    const { group } = await setUp();
    await group.statement((db) => sql`insert into probe (id) values ('a')`.execute(db));
    await expect(
      group.statement((db) => sql`insert into probe (id) values ('a')`.execute(db)),
    ).rejects.toThrow(/UNIQUE/);
    await group.statement((db) => sql`insert into probe (id) values ('b')`.execute(db));
    expect(await committedIds()).toEqual(['a', 'b']);
  });

  it('a COMMIT that fails fails every unit of the group and keeps none', async () => {
    const { group } = await setUp();
    // A deferred foreign key is only checked at COMMIT: unit b makes the whole group's COMMIT fail.
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((id) =>
        group.run(async (trx) => {
          await sql`insert into probe (id, parent) values (${id}, ${id === 'b' ? 'nobody' : null})`.execute(
            trx,
          );
          return id;
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await committedIds()).toEqual([]);
    // The connection is usable again afterwards.
    await group.run((trx) => sql`insert into probe (id) values ('d')`.execute(trx));
    expect(await committedIds()).toEqual(['d']);
  });
});
