import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { csvFor, postCsv, runJobs } from '../bulk/support.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { formsOf, type PageClient, pageClient } from '../helpers/page-client.js';
import { consoleAs, memberWithRole, PASSWORD, signInFrom } from './support.js';

/** The upload form's multipart body, as a browser sends it: the hidden fields, then the file. */
function multipart(fields: Record<string, string>, file?: { name: string; content: string }) {
  const boundary = '----foyer-test-boundary';
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  if (file) {
    parts.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: text/csv\r\n\r\n${file.content}\r\n`,
    );
  }
  return { boundary, payload: `${parts.join('')}--${boundary}--\r\n` };
}

describe.each(testDialects())('console bulk invitations over HTTP (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;
  let browser: PageClient;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { env: { FOYER_INVITE_RATE_LIMIT: '0' } });
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });
  afterAll(() => t.close());

  const upload = async (client: PageClient, fields: Record<string, string>, content?: string) => {
    const body = multipart(fields, content === undefined ? undefined : { name: 'partners.csv', content });
    return t.app.inject({
      method: 'POST',
      url: `${base}/bulk`,
      headers: {
        cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        'content-type': `multipart/form-data; boundary=${body.boundary}`,
      },
      payload: body.payload,
    });
  };
  const csrfOf = (page: LightMyRequestResponse) => {
    const form = formsOf(page.body).find((f) => f.action === `${base}/bulk`);
    if (!form?.fields.csrf) throw new Error(`no upload form with a CSRF token:\n${page.body}`);
    return form.fields;
  };

  it('the upload is CSRF-protected; a checked file waits as a report and is not started', async () => {
    const page = await browser.get(`${base}/bulk`);
    expect(page.statusCode).toBe(200);
    const file = csvFor(['one@partner.example', 'two@partner.example']);
    const forged = await upload(browser, { csrf: 'forged' }, file);
    expect(forged.statusCode).toBe(403);
    const missing = await upload(browser, {}, file);
    expect(missing.statusCode).toBe(403);

    const checked = await upload(browser, csrfOf(page), file);
    expect(checked.statusCode).toBe(303);
    const reportUrl = String(checked.headers.location);
    expect(reportUrl).toMatch(new RegExp(`^${base}/bulk/[0-9a-f-]{36}$`));
    const report = await browser.get(reportUrl);
    expect(report.body).toContain('2 rows: 2 will be invited');
    // Not a job yet: the runner leaves it alone, and the list of jobs does not show it.
    await runJobs(t.app.services);
    const id = reportUrl.split('/').at(-1)!;
    const job = (await admin.get(`/v1.0/invitations/bulk/${id}`)).json() as Record<string, unknown>;
    expect(job).toMatchObject({ status: 'validated', processedRows: 0 });
    expect((await browser.get(`${base}/bulk`)).body).toContain('No bulk invitation yet.');
  });

  it('a file over 32 MiB is refused with a clear message on the page, and nothing is held', async () => {
    const heldJobs = () =>
      t.app.services.db
        .selectFrom('bulk_jobs')
        .select('id')
        .where('tenant_id', '=', t.tenant.tenantId)
        .execute();
    const before = await heldJobs();
    const page = await browser.get(`${base}/bulk`);
    // The limit is said on the form itself.
    expect(page.body).toContain('at most 50,000 rows and 32 MiB');
    const huge = `email,displayName,redirectUrl,message,language\n${'x'.repeat(33 * 1024 * 1024)}`;
    const refused = await upload(browser, csrfOf(page), huge);
    expect(refused.statusCode).toBe(413);
    expect(refused.headers['content-type']).toMatch(/text\/html/);
    expect(refused.body).toContain('larger than this page accepts');
    expect(await heldJobs()).toEqual(before);
  });

  it('nobody signed in: the upload goes to the sign-in before its body is read, and back to a page that says to choose the file again', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: `${base}/bulk`,
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
      payload: `--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n${'a'.repeat(1000)}\r\n--x--\r\n`,
    });
    expect(anonymous.statusCode).toBe(303);
    expect(String(anonymous.headers.location)).toBe(
      `/${t.tenant.tenantId}/portal/login?return=${encodeURIComponent(`/${t.tenant.tenantId}/admin/bulk?expired=1`)}`,
    );
    const back = await browser.get(`${base}/bulk?expired=1`);
    expect(back.body).toContain('Your session had expired before the file was sent');
    expect((await browser.get(`${base}/bulk`)).body).not.toContain('Your session had expired');
  });

  it('a file checked and never started is dropped after 24 hours, its rows with it', async () => {
    const page = await browser.get(`${base}/bulk`);
    const old = await upload(browser, csrfOf(page), csvFor(['forgotten@partner.example']));
    const oldUrl = String(old.headers.location);
    const oldId = oldUrl.split('/').at(-1)!;
    // As if it had been uploaded yesterday.
    const yesterday = new Date(Date.now() - 25 * 3600 * 1000).toISOString();
    await t.app.services.db
      .updateTable('bulk_jobs')
      .set({ created_at: yesterday })
      .where('id', '=', oldId)
      .execute();
    const fresh = await upload(browser, csrfOf(page), csvFor(['fresh@partner.example']));
    expect(fresh.statusCode).toBe(303);
    expect((await browser.get(oldUrl)).statusCode).toBe(404);
    const rows = await t.app.services.db
      .selectFrom('bulk_job_rows')
      .select('row_number')
      .where('job_id', '=', oldId)
      .execute();
    expect(rows).toEqual([]);
    expect((await browser.get(String(fresh.headers.location))).statusCode).toBe(200);
  });

  it('Start starts the job once; a second Start is a clear 409', async () => {
    const page = await browser.get(`${base}/bulk`);
    const checked = await upload(browser, csrfOf(page), csvFor(['start@partner.example']));
    const report = await browser.get(String(checked.headers.location));
    const started = await browser.submit(report, '/start');
    expect(started.statusCode).toBe(303);
    const again = await browser.submit(report, '/start');
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('This bulk invitation job has already been started.');
    await runJobs(t.app.services);
    const done = await browser.get(String(checked.headers.location));
    expect(done.body).toContain('Completed: all 1 rows processed.');
    const results = await browser.get(`${String(checked.headers.location)}/results`);
    expect(results.headers['content-type']).toContain('text/csv');
    expect(results.body).toMatch(
      /^email,status,userId,error\r\nstart@partner\.example,invited,[0-9a-f-]{36},\r\n$/,
    );
  });

  it('a file-level problem is shown on the upload page with its reason (400), nothing kept', async () => {
    const page = await browser.get(`${base}/bulk`);
    const wrong = await upload(browser, csrfOf(page), 'mail\r\nx@partner.example');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The first line must be the header');
    const empty = await upload(browser, csrfOf(page));
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Choose a CSV file to upload.');
  });

  it('the report and the results file show a formula cell neutralised, never as a formula', async () => {
    const page = await browser.get(`${base}/bulk`);
    const file = [
      'email,displayName,redirectUrl,message,language',
      '=cmd|calc!A1,x,https://app.example,,',
      'formula@partner.example,x,https://app.example,,',
    ].join('\r\n');
    const checked = await upload(browser, csrfOf(page), file);
    const report = await browser.get(String(checked.headers.location));
    expect(report.body).toContain('2 rows: 1 will be invited, 1 have a problem');
    expect(report.body).toContain('<td>=cmd|calc!A1</td>');
    await browser.submit(report, '/start');
    await runJobs(t.app.services);
    const results = await browser.get(`${String(checked.headers.location)}/results`);
    const lines = results.body.trim().split('\r\n');
    expect(lines[1]).toMatch(/^'=cmd\|calc!A1,failed,,/);
    expect(lines[2]).toMatch(/^formula@partner\.example,invited,[0-9a-f-]{36},$/);
  });

  it('another tenant’s job is not found through this console, in any of its pages', async () => {
    const fabrikamToken = (await callerFor(t, fabrikam)).token;
    const created = await postCsv(t.app, fabrikamToken, csvFor(['f@partner.example']));
    expect(created.statusCode).toBe(202);
    const id = (created.json() as { id: string }).id;
    for (const path of ['', '/progress', '/results']) {
      const response = await browser.get(`${base}/bulk/${id}${path}`);
      expect(response.statusCode, path).toBe(404);
      expect(response.body).not.toContain('f@partner.example');
    }
    const page = await browser.get(`${base}/bulk`);
    const start = await browser.post(`${base}/bulk/${id}/start`, { csrf: csrfOf(page).csrf ?? '' });
    expect(start.statusCode).toBe(404);
    expect(page.body).not.toContain(id);
    expect((await browser.get(`${base}/bulk/not-a-uuid`)).statusCode).toBe(404);
  });

  it('speaks French to a French browser, report included', async () => {
    const french = pageClient(t.app, { 'accept-language': 'fr-FR' });
    const signedIn = await signInFrom(
      french,
      await french.get(`${base}/bulk`),
      t.tenant.adminUserPrincipalName,
      t.tenant.adminPassword,
    );
    expect(signedIn.body).toContain('<h1>Invitations en masse</h1>');
    expect(signedIn.body).toContain('Vérifier le fichier');
    const checked = await upload(french, csrfOf(signedIn), csvFor(['fr@partner.example', 'bad']));
    const report = await french.get(String(checked.headers.location));
    expect(report.body).toContain('Rapport de validation');
    expect(report.body).toContain('2 lignes : 1 seront invitées, 1 ont un problème');
    expect(report.body).toContain('Lancer les invitations');
  });

  it('a Guest Inviter opens the bulk pages; a member without a role is refused', async () => {
    const { upn } = await memberWithRole(t, admin, 'bulkinviter', 'Guest Inviter');
    const inviter = await consoleAs(t, upn, PASSWORD);
    expect(inviter.page.body).toContain('>Bulk invitations</a>');
    expect((await inviter.browser.get(`${base}/bulk`)).statusCode).toBe(200);
    const nobody = await memberWithRole(t, admin, 'bulknobody');
    const refused = await consoleAs(t, nobody.upn, PASSWORD, '/admin/bulk');
    expect(refused.page.statusCode).toBe(403);
  });
});
