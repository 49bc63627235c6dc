import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import type { PageClient } from '../helpers/page-client.js';
import { consoleAs } from './support.js';

describe.each(testDialects())('console groups, logs and usage (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let browser: PageClient;
  let base: string;
  const guests: string[] = [];

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
    for (const name of ['g1', 'g2', 'g3']) {
      const r = await admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: `${name}@partner.example`,
        inviteRedirectUrl: 'https://app.example',
      });
      guests.push((r.json() as { invitedUser: { id: string } }).invitedUser.id);
    }
  });
  afterAll(() => t.close());

  it('creates a group, adds and removes a member', async () => {
    const list = await browser.get(`${base}/groups`);
    const created = await browser.submit(list, '/admin/groups', {
      displayName: 'Suppliers',
      description: 'Our suppliers',
    });
    expect(created.statusCode).toBe(303);
    const page = await browser.get(String(created.headers.location));
    expect(page.body).toContain('<h1>Suppliers</h1>');
    const groupPath = String(created.headers.location);
    const added = await browser.submit(page, `${groupPath}/add`, { member: guests[0]! });
    const withMember = await browser.get(String(added.headers.location));
    expect(withMember.body).toContain('g1_partner.example');
    const removed = await browser.submit(withMember, `${groupPath}/remove`);
    const empty = await browser.get(String(removed.headers.location));
    expect(empty.body).toContain('No members.');
    const refused = await browser.submit(list, '/admin/groups', { displayName: '' });
    expect(refused.statusCode).toBe(400);
  });

  it('the audit log lists the invitations and filters by activity and date', async () => {
    const all = await browser.get(`${base}/audit`);
    expect(all.body).toContain('Invite external user');
    const filtered = await browser.get(`${base}/audit?activity=group&from=2000-01-01`);
    expect(filtered.body).toContain('Add group');
    expect(filtered.body).not.toContain('Invite external user');
    const future = await browser.get(`${base}/audit?from=2999-01-01`);
    expect(future.body).toContain('No entry matches.');
  });

  it('the sign-in log filters by user and result', async () => {
    const page = await browser.get(
      `${base}/sign-ins?user=${encodeURIComponent(t.tenant.adminUserPrincipalName)}&status=success`,
    );
    expect(page.body).toContain(t.tenant.adminUserPrincipalName);
    const failures = await browser.get(`${base}/sign-ins?status=failure`);
    expect(failures.body).toContain('No sign-in yet.');
  });

  it('the usage report counts guests, the ratio, monthly active guests and draws 12 bars', async () => {
    const now = t.app.services.clock.now();
    const thisMonth = now.toISOString().slice(0, 7);
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 15)).toISOString();
    const row = (userId: string, at: string, result: 'success' | 'failure', id: string) => ({
      tenant_id: t.tenant.tenantId,
      id,
      created_at: at,
      user_id: userId,
      user_principal_name: null,
      user_display_name: null,
      app_id: null,
      app_display_name: null,
      ip_address: '192.0.2.1',
      client_app_used: null,
      correlation_id: id,
      result,
      error_code: result === 'success' ? 0 : 50126,
      failure_reason: null,
      additional_details: null,
      home_tenant_id: null,
      cross_tenant_access_type: 'b2bCollaboration',
      authentication_method: 'otp',
      incoming_token_type: 'none',
      is_interactive: 1,
      authentication_requirement: 'singleFactorAuthentication',
    });
    const ids = () => t.app.services.ids.uuid();
    await t.app.services.db
      .insertInto('sign_ins')
      .values([
        row(guests[0]!, now.toISOString(), 'success', ids()),
        row(guests[0]!, now.toISOString(), 'success', ids()), // the same guest twice: counted once
        row(guests[1]!, now.toISOString(), 'success', ids()),
        row(guests[2]!, now.toISOString(), 'failure', ids()), // a failure is not activity
        row(guests[2]!, lastMonth, 'success', ids()),
      ])
      .execute();
    const page = await browser.get(`${base}/usage`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<dt>Guests<\/dt><dd>3<\/dd>/);
    expect(page.body).toContain(`Monthly active guests (${thisMonth}, UTC)</dt><dd>2 `);
    expect(page.body).toContain('Within the 1:5 ratio: Yes.');
    expect(page.body.match(/<rect class="bar"/g)?.length).toBe(12);
    expect(page.body).not.toMatch(/style=/);
    expect(page.body).toContain(`<tr><td>${lastMonth.slice(0, 7)}</td><td>1</td></tr>`);
  });
});
