import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperatorToken } from '../../src/tenants/operator-tokens.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient, graphClient, INSTANCE_API } from '../helpers/graph.js';
import { invitation, invitationRow } from '../invitations/support.js';

describe.each(testDialects())('what responses carry, on %s', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('secrets (addPassword, a provisioned tenant) and every directory answer are Cache-Control: no-store', async () => {
    const app = (await admin.post('/v1.0/applications', { displayName: 'Secretive' })).json();
    const password = await admin.post(`/v1.0/applications/${app.id}/addPassword`, {});
    expect(password.statusCode).toBe(200);
    expect(password.json().secretText).toBeTruthy();
    expect(password.headers['cache-control']).toBe('no-store');
    expect((await admin.get('/v1.0/users')).headers['cache-control']).toBe('no-store');
    expect((await admin.get('/v1.0/users/nobody@nowhere')).headers['cache-control']).toBe('no-store');

    const operatorToken = await createOperatorToken(t.app.services, 'tests');
    const tenant = await graphClient(t.app, operatorToken, INSTANCE_API).post('/tenants', {
      displayName: 'Tailspin',
    });
    expect(tenant.statusCode, tenant.body).toBe(201);
    expect(tenant.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['CR/LF', 'https://apps.contoso.example/\r\nSet-Cookie: a=b'],
    ['TAB', 'https://apps.contoso.example/\tpath'],
    ['NUL-free but DEL', 'https://apps.contoso.example/\u007f'],
  ])('inviteRedirectUrl with %s is refused', async (_label, url) => {
    const response = await admin.post(
      '/v1.0/invitations',
      invitation('ctl@fabrikam.com', { inviteRedirectUrl: url }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('inviteRedirectUrl: must not contain control characters');
  });

  it('inviteRedirectUrl is stored and returned in its parsed, normalised form', async () => {
    const response = await admin.post(
      '/v1.0/invitations',
      invitation('norm@fabrikam.com', { inviteRedirectUrl: 'HTTPS://Apps.Contoso.Example:443/a b/../c?x=1' }),
    );
    expect(response.statusCode, response.body).toBe(201);
    expect(response.json().inviteRedirectUrl).toBe('https://apps.contoso.example/c?x=1');
    const row = await invitationRow(t, response.json().id);
    expect(row.invite_redirect_url).toBe('https://apps.contoso.example/c?x=1');
  });
});

describe.each(testDialects())('what the logs carry, on %s', (dialect) => {
  const lines: string[] = [];
  let close: () => Promise<void>;
  let caller: GraphClient;
  let _logged: FastifyInstance;
  beforeAll(async () => {
    const t = await buildTestApp(dialect, { logStream: { write: (line) => lines.push(line) } });
    const app = t.app;
    caller = await adminCaller(t);
    _logged = app;
    close = t.close;
  });
  afterAll(() => close());

  it('a 700 KB invalid value is a short 400 message and a short log line', async () => {
    lines.length = 0;
    const huge = `${'a'.repeat(700_000)}@`;
    const response = await caller.post('/v1.0/invitations', invitation(huge));
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message.length).toBeLessThan(1_200);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.length).toBeLessThan(4_000);
    const url = `/v1.0/users/${'b'.repeat(1_000)}?$filter=${'c'.repeat(12_000)}`;
    lines.length = 0;
    const response2 = await caller.get(url, { 'client-request-id': 'd'.repeat(8_000) });
    expect(response2.statusCode).toBe(400);
    for (const line of lines) expect(line.length).toBeLessThan(4_000);
  });
});
