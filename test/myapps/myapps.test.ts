import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { consoleAs, memberWithRole, PASSWORD, settle } from '../console/support.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';
import { inviteGuest, latestCode } from '../redemption/support.js';

/** A passcode guest signs in to My Apps at `tenantId`, reviewing permissions the first time (just in time). */
async function guestSignsIn(t: TestApp, browser: PageClient, tenantId: string, email: string) {
  let page = await settle(browser, await browser.get(`/${tenantId}/myapps`));
  if (page.body.includes('/identify"')) {
    const passwordPage = await browser.submit(page, '/identify', { email });
    const codePage = await browser.submit(passwordPage, '/passcode-send');
    page = await browser.submit(codePage, '/passcode', { code: await latestCode(t, email) });
  }
  if (page.body.includes('/review"')) page = await browser.submit(page, '/review', { decision: 'accept' });
  return settle(browser, page);
}

describe.each(testDialects())('My Apps (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;
  let fabrikamAdmin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    fabrikamAdmin = await callerFor(t, fabrikam);
    await admin.post('/v1.0/applications', {
      displayName: 'Expenses',
      web: { redirectUris: ['https://expenses.example/cb'], homePageUrl: 'https://expenses.example/' },
    });
    await admin.post('/v1.0/applications', { displayName: 'Backend job' });
  });
  afterAll(() => t.close());

  it('a member sees the apps with a home page, the profile, and may invite (allowInvitesFrom: everyone)', async () => {
    const { upn } = await memberWithRole(t, admin, 'employee');
    const { browser, page } = await consoleAs(t, upn, PASSWORD, '/myapps');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="https://expenses.example/" rel="noopener">Expenses</a>');
    expect(page.body).not.toContain('Backend job');
    expect(page.body).toContain(upn);
    expect(page.body).not.toContain('Leave Contoso');
    expect(page.body).not.toContain('/admin"');
    const form = await browser.get(`/${t.tenant.tenantId}/myapps/invite`);
    const done = await browser.submit(form, '/myapps/invite', {
      email: 'partner@supplier.example',
      redirectUrl: 'https://expenses.example/',
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Invitation created');
    expect(done.body).not.toContain('Console sections');
  });

  it('no invite link when the policy forbids members, and a direct post is refused by the service', async () => {
    await admin.patch('/v1.0/policies/authorizationPolicy', { allowInvitesFrom: 'adminsAndGuestInviters' });
    const { upn } = await memberWithRole(t, admin, 'employee2');
    const { browser, page } = await consoleAs(t, upn, PASSWORD, '/myapps');
    expect(page.body).not.toContain('/myapps/invite"');
    const form = await browser.get(`/${t.tenant.tenantId}/myapps/invite`);
    expect(form.statusCode).toBe(403);
    expect(form.body).toContain('does not allow you to invite');
    expect(form.body).not.toContain('name="email"');
    const refused = await browser.post(`/${t.tenant.tenantId}/myapps/invite`, {
      csrf: /name="csrf" value="([^"]+)"/.exec(page.body)![1]!,
      email: 'partner2@supplier.example',
      redirectUrl: 'https://expenses.example/',
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('does not allow you to invite');
    expect((await admin.get("/v1.0/users?$filter=mail eq 'partner2@supplier.example'")).json()).toMatchObject(
      {
        value: [],
      },
    );
    await admin.patch('/v1.0/policies/authorizationPolicy', { allowInvitesFrom: 'everyone' });
  });

  it('a guest of two organisations switches between them, and leaves one (audited)', async () => {
    const email = 'traveller@partner.example';
    await inviteGuest(admin, email);
    await inviteGuest(fabrikamAdmin, email);
    const browser = pageClient(t.app);
    const contoso = await guestSignsIn(t, browser, t.tenant.tenantId, email);
    expect(contoso.statusCode).toBe(200);
    expect(contoso.body).toContain('Contoso (current)');
    // Not yet redeemed at Fabrikam: the switch link is there once the guest has accepted there.
    const fabrikamHome = await guestSignsIn(t, browser, fabrikam.tenantId, email);
    expect(fabrikamHome.body).toContain('Fabrikam (current)');
    expect(fabrikamHome.body).toContain(`href="/${t.tenant.tenantId}/myapps"`);
    const back = await browser.get(`/${t.tenant.tenantId}/myapps`);
    expect(back.body).toContain(`href="/${fabrikam.tenantId}/myapps"`);
    expect(back.body).toContain('Leave Contoso');

    const left = await browser.submit(back, '/myapps/leave', { confirm: 'on' });
    expect(left.statusCode).toBe(200);
    expect(left.body).toContain('You left the organization');
    const audit = await admin.get(
      "/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Guest left organization'",
    );
    expect((audit.json() as { value: unknown[] }).value).toHaveLength(1);
    const gone = await browser.get(`/${t.tenant.tenantId}/myapps`);
    expect(gone.statusCode).toBe(303);
  });

  it('leaving is refused when the tenant does not allow it', async () => {
    await fabrikamAdmin.patch('/v1.0/policies/b2bManagementPolicy', { guestsMayLeave: false });
    const browser = pageClient(t.app);
    const email = 'stayer@partner.example';
    await inviteGuest(fabrikamAdmin, email);
    const home = await guestSignsIn(t, browser, fabrikam.tenantId, email);
    expect(home.body).not.toContain('Leave Fabrikam');
    const refused = await browser.post(`/${fabrikam.tenantId}/myapps/leave`, {
      csrf: /name="csrf" value="([^"]+)"/.exec(home.body)![1]!,
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('does not allow guests to leave');
  });
});
