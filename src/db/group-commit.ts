import { type ControlledTransaction, type Kysely, sql, type Transaction } from 'kysely';
import type { Dialect } from './connect.js';
import type { Executor } from './executor.js';
import type { Database } from './schema.js';

/**
 * Group commit for SQLite: concurrent units of work share one transaction, each in a savepoint of its own, and
 * every caller is answered only after the shared COMMIT has returned.
 *
 * Why: on SQLite a commit writes every page the transaction touched into the WAL (the tables' and indexes'
 * leaf pages, the same few pages for consecutive invitations) and updates the WAL index; it was the single
 * dearest statement of an invitation (~0.5 ms of ~1.6 ms in the database). Sixteen invitations committed
 * together write those hot pages once instead of sixteen times. SQLite has one writer anyway, so nothing
 * that could run in parallel is serialised by this.
 *
 * How: a unit of work asked for while none is running waits for the current turn of the event loop to end
 * (setImmediate), so every request parsed in that turn joins it; units asked for while a group runs form the
 * next one. A unit that throws gets its error at once and leaves nothing behind, and the others still commit
 * (see runGroup); a COMMIT that fails fails every unit of the group, none of which was answered yet. Durability per unit is exactly that of its own transaction: nothing is resolved before the
 * COMMIT that holds it (WAL + synchronous=NORMAL: in the WAL, so it survives a process crash).
 *
 * A unit must use only the transaction it is given (as in any SQLite transaction here: the one connection is
 * held until the group commits, so a query on the pool from inside a unit would wait forever).
 *
 * PostgreSQL commits each unit in its own transaction on its own pooled connection: the server already
 * groups concurrent commits' WAL flushes, and one transaction shared by many callers would serialise them on
 * one connection and hold their row locks until the slowest finished.
 */
export type UnitOfWork<T> = (trx: Transaction<Database>) => Promise<T>;

export interface CommitGroup {
  run<T>(work: UnitOfWork<T>): Promise<T>;
  /**
   * A unit of exactly one statement, which is atomic by itself: in a group it joins the shared transaction like
   * any unit, but alone it runs as a plain autocommit statement, without the BEGIN and COMMIT round trips a
   * transaction of one statement would add. On PostgreSQL it is always a plain statement on the pool.
   */
  statement<T>(work: (db: Executor) => Promise<T>): Promise<T>;
}

/** Units in one transaction at most: bounds the time a group holds the writer and the work a failed COMMIT undoes. */
const MAX_UNITS = 64;

interface Pending {
  work: (db: Executor) => Promise<unknown>;
  /** One statement: alone in its group, it runs in autocommit instead of a transaction of its own. */
  single: boolean;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** Runs inside a savepoint of its own: set once another unit's failure made its group run again. */
  guarded: boolean;
}

const groups = new WeakMap<Kysely<Database>, CommitGroup>();

/** The commit group of a database handle (one per handle: it is about that handle's one connection). */
export function commitGroupOf(db: Kysely<Database>, dialect: Dialect): CommitGroup {
  let group = groups.get(db);
  if (!group) {
    group =
      dialect === 'sqlite'
        ? sqliteGroup(db)
        : { run: (work) => db.transaction().execute(work), statement: (work) => work(db) };
    groups.set(db, group);
  }
  return group;
}

function sqliteGroup(db: Kysely<Database>): CommitGroup {
  const queue: Pending[] = [];
  let scheduled = false;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const again = await runGroup(db, queue.splice(0, MAX_UNITS));
      queue.unshift(...again);
    }
    scheduled = false;
  }

  function enqueue<T>(work: (db: Executor) => Promise<T>, single: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ work, single, resolve: resolve as (value: unknown) => void, reject, guarded: false });
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void drain());
      }
    });
  }

  return {
    // A unit of work only ever receives the group's transaction (or its own): the cast widens nothing it sees.
    run: <T>(work: UnitOfWork<T>) => enqueue(work as (db: Executor) => Promise<T>, false),
    statement: <T>(work: (db: Executor) => Promise<T>) => enqueue(work, true),
  };
}

/**
 * Runs one group; returns the units to run again in the next one. Units run bare first: a unit that throws
 * rolls the whole group back, gets its error, and the others run again in the next group, each inside a
 * savepoint this time, so one refusal costs its group one re-run at most and the common case (no refusal)
 * pays no SAVEPOINT/RELEASE round trips.
 */
async function runGroup(db: Kysely<Database>, units: Pending[]): Promise<Pending[]> {
  // One unit alone is its own transaction; a single statement needs none.
  if (units.length === 1) {
    const [unit] = units as [Pending];
    await (unit.single ? Promise.resolve(db).then(unit.work) : db.transaction().execute(unit.work)).then(
      unit.resolve,
      unit.reject,
    );
    return [];
  }
  let trx: ControlledTransaction<Database>;
  try {
    trx = await db.startTransaction().execute();
  } catch (error) {
    for (const unit of units) unit.reject(error);
    return [];
  }
  const done: Array<{ unit: Pending; value: unknown }> = [];
  try {
    for (const unit of units) {
      if (!unit.guarded) {
        try {
          done.push({ unit, value: await unit.work(trx) });
        } catch (error) {
          await trx.rollback().execute();
          unit.reject(error);
          const again = units.filter((other) => other !== unit);
          for (const other of again) other.guarded = true;
          return again;
        }
        continue;
      }
      await sql`savepoint unit`.execute(trx);
      try {
        const value = await unit.work(trx);
        await sql`release unit`.execute(trx);
        done.push({ unit, value });
      } catch (error) {
        // Only this unit's writes are undone; a failure to undo them fails the whole group (below).
        await sql`rollback to unit`.execute(trx);
        await sql`release unit`.execute(trx);
        unit.reject(error);
      }
    }
    await trx.commit().execute();
  } catch (error) {
    await trx
      .rollback()
      .execute()
      .catch(() => {});
    // Every unit not yet answered fails with the group (a promise already settled stays as it was).
    for (const unit of units) unit.reject(error);
    return [];
  }
  for (const { unit, value } of done) unit.resolve(value);
  return [];
}
