import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import type { PageClient } from '../helpers/page-client.js';
import { consoleAs, memberWithRole, PASSWORD } from './support.js';

describe.each(testDialects())('console users and invitations (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let browser: PageClient;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
    for (let i = 0; i < 60; i++) {
      await admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: `guest${String(i).padStart(2, '0')}@partner.example`,
        inviteRedirectUrl: 'https://app.example',
      });
    }
  });
  afterAll(() => t.close());

  it('invites with every field plus a group, and the guest appears under Pending acceptance', async () => {
    const group = await admin.post('/v1.0/groups', {
      displayName: 'Partners',
      mailNickname: 'partners',
      mailEnabled: false,
      securityEnabled: true,
    });
    const groupId = (group.json() as { id: string }).id;
    const form = await browser.get(`${base}/invite`);
    expect(form.body).toContain(`name="groups" value="${groupId}`);
    const done = await browser.submit(form, '/admin/invite', {
      email: 'ada@fabrikam.example',
      displayName: 'Ada',
      redirectUrl: 'https://app.example/home',
      send: 'on',
      message: 'Welcome <b>aboard</b>',
      language: 'fr-FR',
      groups: groupId,
    });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Invitation created');
    expect(done.body).toMatch(/\/redeem\?ticket=/);
    const userId = /\/admin\/users\/([0-9a-f-]{36})/.exec(done.body)![1]!;
    const user = await browser.get(`${base}/users/${userId}`);
    expect(user.body).toContain('PendingAcceptance');
    expect(user.body).toContain('>Partners</a>');
    const pending = await browser.get(`${base}/users?show=pending&q=ada`);
    expect(pending.body).toContain('ada@fabrikam.example');
    const members = await browser.get(`${base}/users?show=members&q=ada`);
    expect(members.body).not.toContain('ada_fabrikam.example');
  });

  it('a refused invitation shows the form again with the service’s message and the typed values', async () => {
    const form = await browser.get(`${base}/invite`);
    const refused = await browser.submit(form, '/admin/invite', {
      email: 'not-an-address',
      redirectUrl: 'https://app.example',
      displayName: 'Kept name',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toContain('value="Kept name"');
  });

  it('pages through the users with keyset links', async () => {
    const first = await browser.get(`${base}/users?show=guests`);
    const next = /href="([^"]+after=[^"]+)" rel="next"/.exec(first.body)?.[1];
    expect(next).toBeDefined();
    const second = await browser.get(next!.replace(/&amp;/g, '&'));
    expect(second.statusCode).toBe(200);
    const names = (body: string) => [...body.matchAll(/<td>([^<]*#EXT#[^<]*)<\/td>/g)].map((m) => m[1]);
    const overlap = names(first.body).filter((n) => names(second.body).includes(n));
    expect(names(second.body).length).toBeGreaterThan(0);
    expect(overlap).toEqual([]);
  });

  it('resends, resets to a new address, revokes and deletes from the user page', async () => {
    const invited = await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'bob@partner.example',
      inviteRedirectUrl: 'https://app.example',
    });
    const id = (invited.json() as { invitedUser: { id: string } }).invitedUser.id;
    const page = await browser.get(`${base}/users/${id}`);
    const resent = await browser.submit(page, `/users/${id}/resend`);
    expect(resent.body).toContain('Done: Resend invitation.');
    const reset = await browser.submit(resent, `/users/${id}/reset`, { newEmail: 'bob@new.example' });
    expect(reset.statusCode).toBe(200);
    expect(reset.body).toContain('bob@new.example');
    const revoked = await browser.submit(reset, `/users/${id}/revoke`);
    expect(revoked.body).toContain('Done: Revoke sessions.');
    const wrong = await browser.submit(revoked, `/users/${id}/delete`, { confirm: 'someone else' });
    expect(wrong.statusCode).toBe(400);
    const upn = /<dt>User principal name<\/dt><dd>([^<]+)<\/dd>/.exec(revoked.body)![1]!;
    const deleted = await browser.submit(revoked, `/users/${id}/delete`, {
      confirm: upn.replace(/&#39;/g, "'"),
    });
    expect(deleted.statusCode).toBe(303);
    expect((await admin.get(`/v1.0/users/${id}`)).statusCode).toBe(404);
  });

  it('adds the user to a group from the user page, offering only the groups they are not in', async () => {
    const group = await admin.post('/v1.0/groups', {
      displayName: 'Suppliers',
      mailNickname: 'suppliers',
      mailEnabled: false,
      securityEnabled: true,
    });
    const groupId = (group.json() as { id: string }).id;
    const invited = await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'dora@partner.example',
      inviteRedirectUrl: 'https://app.example',
    });
    const id = (invited.json() as { invitedUser: { id: string } }).invitedUser.id;
    const page = await browser.get(`${base}/users/${id}`);
    expect(page.body).toContain(`<option value="${groupId}">Suppliers</option>`);
    const added = await browser.submit(page, `/users/${id}/groups`, { group: groupId });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('Done: Add to group.');
    expect(added.body).toContain(`<a href="${base}/groups/${groupId}">Suppliers</a>`);
    expect(added.body).not.toContain(`<option value="${groupId}">`);
    const members = await admin.get(`/v1.0/groups/${groupId}/members`);
    expect((members.json() as { value: Array<{ id: string }> }).value.map((m) => m.id)).toEqual([id]);
    const unknown = await browser.submit(page, `/users/${id}/groups`, {
      group: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('role="alert"');
  });

  it('the services refuse what the role does not allow, even when posted directly', async () => {
    const { upn } = await memberWithRole(t, admin, 'ua2', 'User Administrator');
    const ua = await consoleAs(t, upn, PASSWORD);
    const adminPage = await ua.browser.get(`${base}/users`);
    expect(adminPage.statusCode).toBe(200);
    const me = await admin.get(`/v1.0/users/${t.tenant.adminUserPrincipalName}`);
    const adminId = (me.json() as { id: string }).id;
    const page = await ua.browser.get(`${base}/users/${adminId}`);
    const refused = await ua.browser.submit(page, `/users/${adminId}/revoke`);
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('role="alert"');
  });

  it('a form posted after the session expired survives the sign-in', async () => {
    const { browser: other } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const form = await other.get(`${base}/invite`);
    // The session ends (another tab signed out); the form is still on screen and gets posted.
    await t.app.services.db.deleteFrom('portal_sessions').execute();
    const posted = await other.submit(form, '/admin/invite', {
      email: 'carol@partner.example',
      displayName: 'Carol typed this',
      redirectUrl: 'https://app.example/x',
      message: 'A long message typed before lunch',
    });
    expect(posted.statusCode).toBe(303);
    const { signInFrom } = await import('./support.js');
    const restored = await signInFrom(other, posted, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('Your session had expired');
    expect(restored.body).toContain('value="carol@partner.example"');
    expect(restored.body).toContain('A long message typed before lunch');
    // One use: the same link again shows an empty form.
    const again = await other.get(
      `${base}/invite?restore=${/restore=([^&"]+)/.exec(String(posted.headers.location))?.[1]}`,
    );
    expect(again.body).not.toContain('carol@partner.example');
  });
});
