import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { csvFor, getJob, postCsv, results } from './support.js';

/** Bulk jobs as an attacker comes at them: another tenant's job, forged ids, NUL bytes. */
describe.each(testDialects())('bulk jobs under attack on %s', (dialect) => {
  let t: TestApp;
  let contoso: GraphClient;
  let fabrikam: GraphClient;
  let jobId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    contoso = await adminCaller(t);
    fabrikam = await callerFor(t, await provisionOtherTenant(t));
    const started = await postCsv(t.app, contoso.token, csvFor(['ada@partner.example']));
    expect(started.statusCode, started.body).toBe(202);
    jobId = started.json().id;
  });
  afterAll(() => t.close());

  it("another tenant's administrator can read neither the job nor its results", async () => {
    const progress = await getJob(t.app, fabrikam.token, jobId);
    expect(progress.statusCode).toBe(404);
    expect(progress.body).not.toContain('ada@partner.example');
    const csv = await t.app.inject({
      method: 'GET',
      url: `/v1.0/invitations/bulk/${jobId}/results`,
      headers: { authorization: `Bearer ${fabrikam.token}` },
    });
    expect(csv.statusCode).toBe(404);
    expect(csv.body).not.toContain('ada@partner.example');
    // The owner still can.
    expect((await getJob(t.app, contoso.token, jobId)).statusCode).toBe(200);
    const own = await results(t.app, contoso.token, jobId);
    expect(own.response.statusCode).toBe(200);
    expect(own.response.body.split('\r\n')[0]).toBe('email,status,userId,error');
  });

  it('a forged job id is a 400 or a 404, never a 500', async () => {
    for (const id of ['not-a-uuid', "1' OR '1'='1", '%00', 'a'.repeat(5000)]) {
      const response = await getJob(t.app, contoso.token, encodeURIComponent(id));
      expect([400, 404], `${id}: ${response.body}`).toContain(response.statusCode);
    }
  });

  it('a NUL byte in the file is refused before any job starts', async () => {
    const response = await postCsv(t.app, contoso.token, csvFor(['nul\u0000@partner.example']));
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('Request_BadRequest');
  });
});
