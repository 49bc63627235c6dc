import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { pageClient } from '../helpers/page-client.js';
import { consoleAs, memberWithRole, PASSWORD } from './support.js';

describe.each(testDialects())('admin console access (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  it('sends a stranger to the tenant’s own sign-in, then shows the console to a Global Administrator', async () => {
    const browser = pageClient(t.app);
    const start = await browser.get(`/${t.tenant.tenantSlug}/admin`);
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toContain(`/${t.tenant.tenantId}/portal/login?return=`);
    const { page } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('Admin console');
    for (const label of [
      'Users',
      'Invite a guest',
      'Groups',
      'Audit log',
      'Collaboration settings',
      'Applications',
    ])
      expect(page.body).toContain(`>${label}</a>`);
  });

  it('a member without a directory role gets a clear 403 page', async () => {
    const { upn } = await memberWithRole(t, admin, 'norole');
    const { page } = await consoleAs(t, upn, PASSWORD);
    expect(page.statusCode).toBe(403);
    expect(page.body).toContain('no administrator role');
    expect(page.body).toContain(`href="/${t.tenant.tenantId}/myapps"`);
  });

  it('a Guest Inviter sees the invite pages only, and is refused the others', async () => {
    const { upn } = await memberWithRole(t, admin, 'inviter', 'Guest Inviter');
    const { browser, page } = await consoleAs(t, upn, PASSWORD);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('>Invite a guest</a>');
    expect(page.body).not.toContain('>Users</a>');
    expect(page.body).not.toContain('>Audit log</a>');
    const users = await browser.get(`/${t.tenant.tenantId}/admin/users`);
    expect(users.statusCode).toBe(403);
    expect(users.body).toContain('Your role does not allow this page.');
  });

  it('a User Administrator sees users, groups, invitations and logs, not settings or applications', async () => {
    const { upn } = await memberWithRole(t, admin, 'useradmin', 'User Administrator');
    const { browser, page } = await consoleAs(t, upn, PASSWORD);
    for (const label of ['Users', 'Invite a guest', 'Groups', 'Audit log', 'Sign-in log'])
      expect(page.body).toContain(`>${label}</a>`);
    expect(page.body).not.toContain('>Collaboration settings</a>');
    expect(page.body).not.toContain('>Applications</a>');
    expect((await browser.get(`/${t.tenant.tenantId}/admin/settings`)).statusCode).toBe(403);
    expect((await browser.get(`/${t.tenant.tenantId}/admin/apps`)).statusCode).toBe(403);
  });

  it('speaks French to a French browser', async () => {
    const browser = pageClient(t.app, { 'accept-language': 'fr-FR' });
    const { signInFrom } = await import('./support.js');
    const page = await signInFrom(
      browser,
      await browser.get(`/${t.tenant.tenantId}/admin`),
      t.tenant.adminUserPrincipalName,
      t.tenant.adminPassword,
    );
    expect(page.body).toContain('<html lang="fr-FR">');
    expect(page.body).toContain('Console d&#39;administration');
  });

  it('sign-out ends the console session (a POST with the CSRF token)', async () => {
    const { browser, page } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const out = await browser.submit(page, '/portal/logout');
    expect(out.statusCode).toBe(303);
    const again = await browser.get(`/${t.tenant.tenantId}/admin`);
    expect(again.statusCode).toBe(303);
    const forged = await browser.post(`/${t.tenant.tenantId}/portal/logout`, { csrf: 'nope' });
    expect(forged.statusCode).toBe(403);
  });

  it('the console client deleted by an administrator is registered again at the next sign-in', async () => {
    const list = await admin.get(
      "/v1.0/applications?$filter=displayName eq 'Foyer admin console and My Apps'&$select=id",
    );
    const [portal] = (list.json() as { value: Array<{ id: string }> }).value;
    expect((await admin.delete(`/v1.0/applications/${portal!.id}`)).statusCode).toBe(204);
    const { page } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Admin console');
  });
});
