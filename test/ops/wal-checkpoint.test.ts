import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_EVERY_MS } from '../../src/db/checkpointer.js';
import { connectDatabase } from '../../src/db/connect.js';

/**
 * The WAL is copied back into the database file by a thread, not inside a request's commit (src/db/connect.ts).
 * 2 MB of commits stay below SQLite's own 1,000-page automatic checkpoint (and far below the 10,000-page
 * backstop), so only the thread can move them into the database file: within a few of its periods it has.
 */
describe('SQLite WAL checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'foyer-wal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('moves committed pages into the database file within seconds, without a commit doing it', async () => {
    const file = join(dir, 'foyer.db');
    const handle = await connectDatabase(`sqlite:${file}`);
    try {
      await sql`create table filler (id integer primary key, body text not null)`.execute(handle.db);
      const sizeBefore = statSync(file).size;
      const body = 'x'.repeat(4000);
      for (let i = 0; i < 500; i++) {
        await sql`insert into filler (body) values (${body})`.execute(handle.db);
      }
      const deadline = Date.now() + 10 * CHECKPOINT_EVERY_MS;
      while (statSync(file).size < sizeBefore + 500 * 4000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(statSync(file).size).toBeGreaterThanOrEqual(sizeBefore + 500 * 4000);
      // Every commit was durable before the checkpoint too: the rows are all there.
      const { rows } = await sql<{ n: number }>`select count(*) as n from filler`.execute(handle.db);
      expect(Number(rows[0]?.n)).toBe(500);
    } finally {
      await handle.close();
    }
  });

  it('checkpoints on a thread of its own, while the event loop is busy', async () => {
    const file = join(dir, 'busy.db');
    const handle = await connectDatabase(`sqlite:${file}`);
    try {
      await sql`create table filler (id integer primary key, body text not null)`.execute(handle.db);
      // The thread starts one period after the database opens.
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_EVERY_MS + 500));
      const target = statSync(file).size + 500 * 4000;
      const body = 'y'.repeat(4000);
      for (let i = 0; i < 500; i++) {
        await sql`insert into filler (body) values (${body})`.execute(handle.db);
      }
      // No timer of this thread can run from here on: only another thread can move the pages.
      const deadline = Date.now() + 10 * CHECKPOINT_EVERY_MS;
      while (statSync(file).size < target && Date.now() < deadline) {}
      expect(statSync(file).size).toBeGreaterThanOrEqual(target);
    } finally {
      await handle.close();
    }
  });
});
