import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor } from '../helpers/graph.js';
import { formsOf, type PageClient } from '../helpers/page-client.js';
import { consoleAs, settle } from './support.js';

describe.each(testDialects())('console CSRF and tenant isolation (%s)', (dialect) => {
  let t: TestApp;
  let fabrikam: ProvisionedTenant;
  let browser: PageClient;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    fabrikam = await provisionOtherTenant(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });
  afterAll(() => t.close());

  it('every console and My Apps form carries a CSRF token, and a post without it or with another is refused', async () => {
    for (const path of ['/invite', '/groups', '/settings', '/branding', '/apps']) {
      const page = await browser.get(`${base}${path}`);
      const forms = formsOf(page.body).filter((f) => !f.action.endsWith('/users'));
      expect(forms.length).toBeGreaterThan(0);
      for (const form of forms) expect(form.fields.csrf, `${path} → ${form.action}`).toBeTruthy();
    }
    const missing = await browser.post(`${base}/invite`, {
      email: 'x@partner.example',
      redirectUrl: 'https://app.example',
    });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('Request_CsrfTokenInvalid');
    const forged = await browser.post(`${base}/settings`, { csrf: 'forged', allowInvitesFrom: 'none' });
    expect(forged.statusCode).toBe(403);
    const admin = await adminCaller(t);
    const policy = (await admin.get('/v1.0/policies/authorizationPolicy')).json() as Record<string, unknown>;
    expect(policy.allowInvitesFrom).toBe('everyone');
  });

  it('a Contoso session is no session at Fabrikam, and Fabrikam’s admin cannot sign in to Contoso’s console', async () => {
    const other = await browser.get(`/${fabrikam.tenantId}/admin`);
    expect(other.statusCode).toBe(303);
    expect(String(other.headers.location)).toContain(`/${fabrikam.tenantId}/portal/login`);
    const stranger = await consoleAs(t, fabrikam.adminUserPrincipalName, fabrikam.adminPassword);
    expect(stranger.page.statusCode).toBe(403);
    expect(stranger.page.body).not.toContain('Admin console');
  });

  it('objects of another tenant are not found through this tenant’s console', async () => {
    const fabrikamAdmin = await callerFor(t, fabrikam);
    const user = await fabrikamAdmin.get(`/v1.0/users/${fabrikam.adminUserPrincipalName}`);
    const fabrikamUserId = (user.json() as { id: string }).id;
    const page = await browser.get(`${base}/users/${fabrikamUserId}`);
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
  });

  it('the return address after sign-in is never another site or another tenant', async () => {
    const start = await browser.get(
      `/${t.tenant.tenantId}/portal/login?return=${encodeURIComponent('https://evil.example/')}`,
    );
    expect(start.statusCode).toBe(303);
    const landed = await settle(browser, start);
    expect(landed.statusCode).toBe(200);
    expect(landed.body).toContain('My Apps');
  });
});
