import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type MailingApp, mailingTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerWithPermissions, type GraphClient } from '../helpers/graph.js';
import { csvFor, getJob, guestsByAddress, HEADER, postCsv, REDIRECT, results, runJobs } from './support.js';

describe.each(testDialects())('bulk invitation jobs on %s', (dialect) => {
  let m: MailingApp;
  let t: TestApp;
  let admin: GraphClient;
  /** Mails delivered over SMTP to the catcher, per recipient. */
  const delivered = async () => {
    await m.worker.drain();
    const counts = new Map<string, number>();
    for (const mail of m.catcher.messages) {
      for (const to of mail.envelope.to)
        counts.set(to.toLowerCase(), (counts.get(to.toLowerCase()) ?? 0) + 1);
    }
    return counts;
  };

  beforeAll(async () => {
    m = await mailingTestApp(dialect, { env: { FOYER_INVITE_RATE_LIMIT: '0' } });
    t = m.t;
    admin = m.admin;
  });
  afterAll(() => m.close());

  it('runs to completion: one guest and one mail per row, results as CSV, a second run re-invites', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `partner${i}@fabrikam.example`);
    const body = [
      HEADER,
      ...emails.map((e, i) => `${e},Partner ${i},${REDIRECT},Welcome aboard,${i % 2 ? 'fr-FR' : ''}`),
      `bad-address,Bad,${REDIRECT},,`,
      `PARTNER0@fabrikam.example,Repeat,${REDIRECT},,`,
      `${t.tenant.adminUserPrincipalName},Member,${REDIRECT},,`,
    ].join('\r\n');
    const created = await postCsv(t.app, admin.token, body, '?fileName=partners.csv');
    expect(created.statusCode, created.body).toBe(202);
    const job = created.json();
    expect(created.headers.location).toBe(`https://foyer.test/v1.0/invitations/bulk/${job.id}`);
    expect(job).toMatchObject({
      status: 'running',
      fileName: 'partners.csv',
      totalRows: 43,
      processedRows: 2,
      failed: 1,
      skipped: 1,
    });
    expect(job.validation).toMatchObject({ invalidRowCount: 1, duplicateRowCount: 1 });

    await runJobs(t.app.services);
    const done = (await getJob(t.app, admin.token, job.id)).json();
    expect(done).toMatchObject({
      status: 'completed',
      processedRows: 43,
      percentComplete: 100,
      invited: 40,
      reinvited: 0,
      failed: 2,
      skipped: 1,
    });
    expect(done.completedDateTime).toEqual(expect.any(String));

    const { response, rows } = await results(t.app, admin.token, job.id);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.body.split('\r\n')[0]).toBe('email,status,userId,error');
    expect(rows).toHaveLength(43);
    expect(rows.slice(0, 40).every((r) => r.status === 'invited' && /^[0-9a-f-]{36}$/.test(r.userId))).toBe(
      true,
    );
    expect(rows[40]).toMatchObject({ email: 'bad-address', status: 'failed', userId: '' });
    expect(rows[41]).toMatchObject({
      email: 'PARTNER0@fabrikam.example',
      status: 'skipped',
      error: 'duplicate of row 1',
    });
    expect(rows[42]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('Request_InvitedUserIsMember'),
    });

    const guests = await guestsByAddress(t);
    const mails = await delivered();
    for (const email of emails) {
      expect(guests.get(email), email).toBe(1);
      expect(mails.get(email), email).toBe(1);
    }
    // The guest is the one the API would show, with the row's fields.
    const guest = (
      await admin.get(`/v1.0/users/${rows[1]?.userId}?$select=displayName,mail,userType`)
    ).json();
    expect(guest).toMatchObject({
      displayName: 'Partner 1',
      mail: 'partner1@fabrikam.example',
      userType: 'Guest',
    });

    // The same file again: the API's re-invite (same guest, a fresh link and mail), never a second guest.
    const again = await postCsv(t.app, admin.token, body);
    await runJobs(t.app.services);
    const second = (await getJob(t.app, admin.token, again.json().id)).json();
    expect(second).toMatchObject({ status: 'completed', invited: 0, reinvited: 40, failed: 2, skipped: 1 });
    const secondRows = (await results(t.app, admin.token, second.id)).rows;
    expect(secondRows[0]).toMatchObject({ status: 'reinvited', userId: rows[0]?.userId });
    const guestsAfter = await guestsByAddress(t);
    const mailsAfter = await delivered();
    for (const email of emails) {
      expect(guestsAfter.get(email), email).toBe(1);
      expect(mailsAfter.get(email), email).toBe(2);
    }
  });

  it('neutralises formula cells in the results file', async () => {
    const body = [
      HEADER,
      `"=cmd|' /C calc'!A0",X,${REDIRECT},,`,
      `+1-555-0100,X,${REDIRECT},,`,
      `-2+3,X,${REDIRECT},,`,
      `@SUM(1+1),X,${REDIRECT},,`,
      `"\tTAB",X,${REDIRECT},,`,
      `"\rCR",X,${REDIRECT},,`,
    ].join('\r\n');
    const created = await postCsv(t.app, admin.token, body);
    expect(created.statusCode, created.body).toBe(202);
    const { response, rows } = await results(t.app, admin.token, created.json().id);
    expect(rows.map((r) => r.email)).toEqual([
      "'=cmd|' /C calc'!A0",
      "'+1-555-0100",
      "'-2+3",
      "'@SUM(1+1)",
      "'\tTAB",
      "'\rCR",
    ]);
    expect(rows.every((r) => r.status === 'failed')).toBe(true);
    for (const line of response.body.split('\r\n').slice(1)) {
      expect(line).not.toMatch(/^"?[=+\-@\t\r]/);
    }
  });

  it('applies the invitation service rights: a caller without User.Invite.All can neither start nor read a job', async () => {
    const reader = await callerWithPermissions(t, admin, ['User.Read.All']);
    const refused = await postCsv(t.app, reader.token, csvFor(['nope@fabrikam.example']));
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('Authorization_RequestDenied');

    const inviter = await callerWithPermissions(t, admin, ['User.Invite.All']);
    const created = await postCsv(t.app, inviter.token, csvFor(['own@fabrikam.example']));
    expect(created.statusCode).toBe(202);
    expect((await getJob(t.app, inviter.token, created.json().id)).statusCode).toBe(200);
    const hidden = await getJob(t.app, reader.token, created.json().id);
    expect(hidden.statusCode).toBe(403);
    expect((await getJob(t.app, admin.token, '00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    await runJobs(t.app.services);
  });
  it("runs with its creator's current rights: a permission revoked before the rows run fails them", async () => {
    const inviter = await callerWithPermissions(t, admin, ['User.Invite.All'], 'revoked inviter');
    const created = await postCsv(
      t.app,
      inviter.token,
      csvFor(['late1@fabrikam.example', 'late2@fabrikam.example']),
    );
    expect(created.statusCode, created.body).toBe(202);
    const listed = await admin.get("/v1.0/applications?$filter=displayName eq 'revoked inviter'");
    const appId = listed.json().value[0].id;
    const revoked = await admin.delete(`/v1.0/applications/${appId}/grantedPermissions/User.Invite.All`);
    expect(revoked.statusCode).toBe(204);
    await runJobs(t.app.services);
    const job = (await getJob(t.app, admin.token, created.json().id)).json();
    expect(job).toMatchObject({ status: 'completed', invited: 0, failed: 2 });
    const { rows } = await results(t.app, admin.token, job.id);
    expect(rows.every((r) => r.error.startsWith('Authorization_RequestDenied'))).toBe(true);
    expect((await guestsByAddress(t)).get('late1@fabrikam.example')).toBeUndefined();
  });
});

describe.each(testDialects())('bulk invitation throttling on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect, {
      env: { FOYER_INVITE_RATE_LIMIT: '4', FOYER_INVITE_RATE_WINDOW_SECONDS: '1' },
    });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('paces itself to the invitation limit instead of failing rows', async () => {
    const emails = Array.from({ length: 10 }, (_, i) => `paced${i}@fabrikam.example`);
    const created = await postCsv(t.app, admin.token, csvFor(emails));
    expect(created.statusCode, created.body).toBe(202);
    const started = Date.now();
    await runJobs(t.app.services);
    const elapsed = Date.now() - started;
    const job = (await getJob(t.app, admin.token, created.json().id)).json();
    expect(job).toMatchObject({ status: 'completed', invited: 10, failed: 0 });
    // 10 rows at 4 per 1-second window span at least three windows: two waits for the next one.
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    const processed = await t.app.services.db
      .selectFrom('bulk_job_rows')
      .select('processed_at')
      .where('job_id', '=', job.id)
      .orderBy('row_number')
      .execute();
    const perSecond = new Map<string, number>();
    for (const row of processed) {
      const second = (row.processed_at ?? '').slice(0, 19);
      perSecond.set(second, (perSecond.get(second) ?? 0) + 1);
    }
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
  });
});
