import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { csvFor, HEADER, postCsv, REDIRECT } from './support.js';

describe.each(testDialects())('bulk invitation files are checked before anything starts on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  const jobCount = async () =>
    Number(
      (
        await t.app.services.db
          .selectFrom('bulk_jobs')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const expectRefused = async (body: string | Buffer, message: string | RegExp) => {
    const before = await jobCount();
    const response = await postCsv(t.app, admin.token, body);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error.code).toBe('Request_BadRequest');
    expect(response.json().error.message).toMatch(message);
    expect(await jobCount()).toBe(before);
  };

  it('refuses a wrong or missing header, naming the expected one', async () => {
    await expectRefused(
      csvFor(['a@fabrikam.example'], 'mail,name,redirectUrl,message,language'),
      /header 'email,displayName,redirectUrl,message,language'.*found 'mail,name/,
    );
    await expectRefused(`a@fabrikam.example,A,${REDIRECT},,\r\n`, /first line must be the header/);
    await expectRefused('', /first line must be the header/);
    await expectRefused(`${HEADER}\r\n`, /no rows/);
  });

  it('refuses 50,001 rows and accepts 50,000 in validation', async () => {
    const emails = Array.from({ length: 50_001 }, (_, i) => `guest${i}@fabrikam.example`);
    await expectRefused(csvFor(emails), /at most 50,000 rows; this one has 50,001/);
    const ok = await postCsv(t.app, admin.token, csvFor(emails.slice(0, 50_000)), '?validateOnly=true');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({
      rows: 50_000,
      validRows: 50_000,
      invalidRowCount: 0,
      duplicateRowCount: 0,
    });
  }, 60_000);

  it('refuses a file that is not UTF-8 (Latin-1, UTF-16)', async () => {
    const latin1 = Buffer.from(`${HEADER}\r\nrene@fabrikam.example,Ren\xe9,${REDIRECT},,\r\n`, 'latin1');
    await expectRefused(latin1, /not UTF-8/);
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(csvFor(['a@fabrikam.example']), 'utf16le'),
    ]);
    await expectRefused(utf16, /not UTF-8/);
  });

  it('reads UTF-8 with and without a byte order mark', async () => {
    const text = `${HEADER}\r\nrene@fabrikam.example,René Müller,${REDIRECT},Bienvenue à bord,fr-FR\r\n`;
    for (const body of [
      Buffer.from(text),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    ]) {
      const response = await postCsv(t.app, admin.token, body, '?validateOnly=true');
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toMatchObject({ rows: 1, validRows: 1, invalidRows: [], duplicates: [] });
    }
  });

  it('reports bad rows and each repeated address once, without starting a job', async () => {
    const before = await jobCount();
    const body = [
      HEADER,
      `ok@fabrikam.example,Ok,${REDIRECT},,`,
      `not-an-address,Bad,${REDIRECT},,`,
      'noredirect@fabrikam.example,No redirect,,,',
      `lang@fabrikam.example,Lang,${REDIRECT},,not a language`,
      `OK@Fabrikam.example,Again,${REDIRECT},,`,
      `ok@fabrikam.example,Third,${REDIRECT},,`,
      `other@fabrikam.example,Other,${REDIRECT},,`,
      `other@fabrikam.example,Other again,${REDIRECT},,`,
    ].join('\n');
    const response = await postCsv(t.app, admin.token, body, '?validateOnly=true');
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report).toMatchObject({ rows: 8, validRows: 2, invalidRowCount: 3, duplicateRowCount: 3 });
    expect(report.invalidRows).toEqual([
      {
        row: 2,
        email: 'not-an-address',
        error: expect.stringContaining("email: 'not-an-address' is not a valid email address"),
      },
      { row: 3, email: 'noredirect@fabrikam.example', error: expect.stringContaining('redirectUrl') },
      {
        row: 4,
        email: 'lang@fabrikam.example',
        error: expect.stringContaining('language: must be a BCP 47 language tag'),
      },
    ]);
    expect(report.duplicates).toEqual([
      { email: 'ok@fabrikam.example', rows: [1, 5, 6] },
      { email: 'other@fabrikam.example', rows: [7, 8] },
    ]);
    expect(await jobCount()).toBe(before);
  });

  it('refuses a row with the wrong number of columns as bad CSV', async () => {
    await expectRefused(`${HEADER}\r\na@fabrikam.example,A\r\n`, /not valid CSV/);
  });

  it('takes text/csv only, and the same rights as POST /invitations', async () => {
    const json = await postCsv(t.app, admin.token, JSON.stringify({ a: 1 }), '', 'application/json');
    expect(json.statusCode).toBe(415);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/v1.0/invitations/bulk',
      headers: { 'content-type': 'text/csv' },
      payload: csvFor(['a@fabrikam.example']),
    });
    expect(anonymous.statusCode).toBe(401);
  });
});
