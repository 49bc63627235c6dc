import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/index.js';
import { createOperatorToken } from '../../src/tenants/operator-tokens.js';
import { provisionTenant } from '../../src/tenants/provision.js';
import { buildTestApp, TEST_BASE_URL, TEST_SECRET, type TestApp } from '../helpers/build-test-app.js';
import { freshDatabase, testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient, graphClient } from '../helpers/graph.js';
import { appToken } from '../helpers/tokens.js';
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
    const tenant = await t.app.inject({
      method: 'POST',
      url: '/instance/v1/tenants',
      headers: { authorization: `Bearer ${operatorToken}` },
      payload: { displayName: 'Tailspin' },
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
  let logged: FastifyInstance;
  beforeAll(async () => {
    const database = await freshDatabase(dialect);
    const config = {
      ...loadConfig({ FOYER_ENV: 'test', FOYER_BASE_URL: TEST_BASE_URL }),
      secret: TEST_SECRET,
    };
    const app = await buildApp({ config, database, logStream: { write: (line) => lines.push(line) } });
    await app.ready();
    const tenant = await provisionTenant(app.services, {
      displayName: 'Contoso',
      adminPassword: 'x'.repeat(20),
    });
    const token = await appToken(app, {
      tenant: tenant.tenantSlug,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
    });
    caller = graphClient(app, token);
    logged = app;
    close = async () => {
      await app.close();
      await database.close();
    };
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
    const response2 = await logged.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${caller.token}`, 'client-request-id': 'd'.repeat(8_000) },
    });
    expect(response2.statusCode).toBe(400);
    for (const line of lines) expect(line.length).toBeLessThan(4_000);
  });
});
