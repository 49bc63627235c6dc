import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBulkRunner } from '../../src/bulk/runner.js';
import { claimJob } from '../../src/bulk/store.js';
import { buildTestApp, secondInstance, silentMailLogger, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { csvFor, getJob, guestsByAddress, invitationMailsByAddress, postCsv, results } from './support.js';

const ROWS = 200;

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.each(testDialects())('a bulk job interrupted and resumed on %s', { timeout: 120_000 }, (dialect) => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    // SQLite in a file, so a new app can open the same database as a restarted server would.
    t = await buildTestApp(dialect, { sqliteFile: true, env: { FOYER_INVITE_RATE_LIMIT: '0' } });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const expectEachRowOnce = async (jobId: string, emails: string[], app = t.app) => {
    const job = (await getJob(app, admin.token, jobId)).json();
    expect(job).toMatchObject({ status: 'completed', processedRows: ROWS, invited: ROWS, failed: 0 });
    const { rows } = await results(app, admin.token, jobId);
    expect(rows).toHaveLength(ROWS);
    expect(new Set(rows.map((r) => r.userId)).size).toBe(ROWS);
    const guests = await guestsByAddress(t);
    const mails = await invitationMailsByAddress(t);
    for (const email of emails) {
      expect(guests.get(email), email).toBe(1);
      expect(mails.get(email), email).toBe(1);
    }
  };

  it('stopped mid-way, then resumed by a new app on the same database: no row done twice', async () => {
    const emails = Array.from({ length: ROWS }, (_, i) => `restart${i}@fabrikam.example`);
    const created = await postCsv(t.app, admin.token, csvFor(emails));
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json().id;

    const first = startBulkRunner(t.app.services, { pollMs: 10, logger: silentMailLogger });
    const processed = async () =>
      (
        await t.app.services.db
          .selectFrom('bulk_jobs')
          .select('processed_rows')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).processed_rows;
    await waitFor(async () => (await processed()) >= 20);
    await first.stop();
    const stoppedAt = (await getJob(t.app, admin.token, id)).json();
    expect(stoppedAt.status).toBe('running');
    expect(stoppedAt.processedRows).toBeGreaterThanOrEqual(20);
    expect(stoppedAt.processedRows).toBeLessThan(ROWS);

    // A new Foyer on the same database (the restarted server) takes the job over at once.
    const next = await secondInstance(t);
    try {
      const runner = startBulkRunner(next.app.services, { pollMs: 10, logger: silentMailLogger });
      await runner.drain();
      await runner.stop();
      await expectEachRowOnce(id, emails, next.app);
    } finally {
      await next.close();
    }
  });

  it('claimed by a worker that crashed: resumed once its lease runs out, no row done twice', async () => {
    const emails = Array.from({ length: ROWS }, (_, i) => `crash${i}@fabrikam.example`);
    const created = await postCsv(t.app, admin.token, csvFor(emails));
    const id = created.json().id;
    // A worker takes the job and dies before its lease is renewed: nobody may touch the job until it runs out.
    const now = new Date();
    const crashed = await claimJob(t.app.services.db, t.app.services.dialect, {
      now,
      leaseUntil: new Date(now.getTime() + 700),
      claimToken: 'crashed-worker',
    });
    expect(crashed?.id).toBe(id);
    const runner = startBulkRunner(t.app.services, { pollMs: 50, logger: silentMailLogger });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await getJob(t.app, admin.token, id)).json().processedRows).toBe(0);
      await waitFor(async () => (await getJob(t.app, admin.token, id)).json().status === 'completed');
    } finally {
      await runner.stop();
    }
    await expectEachRowOnce(id, emails);
  });
});
