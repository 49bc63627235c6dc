import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import type { PageClient } from '../helpers/page-client.js';
import { codeAt, shownRecoveryCodes, shownSecret } from '../mfa/support.js';
import { consoleAs, memberWithRole, PASSWORD, signInFrom } from './support.js';

/**
 * MFA from the browser's side over HTTP: a person's own methods in My Apps (enrol with a server-rendered QR code,
 * confirm, new recovery codes, remove), the administrator's MFA reset on the user page, and the redemption
 * reset's new email kept across an expired session.
 */
describe.each(testDialects())('MFA in My Apps and the console (%s)', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock });
    admin = await adminCaller(t);
  });
  afterAll(() => t.close());

  const methodsOf = async (userId: string) =>
    (await admin.get(`/v1.0/users/${userId}/authentication/softwareOathMethods`)).json().value as unknown[];
  const audit = async () =>
    JSON.stringify((await admin.get('/v1.0/auditLogs/directoryAudits?$top=50')).json().value);

  /** Enrols `browser` (signed in to My Apps) and returns the key. */
  async function enrol(browser: PageClient, home: { body: string }) {
    const page = await browser.submit(home as never, '/myapps/mfa/enrol');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
    const secret = shownSecret(page);
    const wrong = await browser.submit(page, '/myapps/mfa/confirm', { code: '000000' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('role="alert"');
    expect(shownSecret(wrong)).toBe(secret);
    clock.advance(30_000);
    const codes = await browser.submit(wrong, '/myapps/mfa/confirm', { code: codeAt(secret, clock) });
    expect(codes.statusCode).toBe(200);
    expect(shownRecoveryCodes(codes)).toHaveLength(10);
    return { secret, codes: shownRecoveryCodes(codes) };
  }

  it('a member sets up an authenticator app from My Apps, gets new recovery codes, and removes it (audited)', async () => {
    const { id, upn } = await memberWithRole(t, admin, `self-${dialect}`);
    const { browser, page: home } = await consoleAs(t, upn, PASSWORD, '/myapps');
    expect(home.body).toContain('Two-step verification');
    expect(home.body).toContain('No authenticator app is set up.');
    const french = await browser.get(`/${t.tenant.tenantId}/myapps`, { 'accept-language': 'fr-FR' });
    expect(french.body).toContain('Vérification en deux étapes');
    const { secret, codes } = await enrol(browser, home);
    expect(await methodsOf(id)).toHaveLength(1);

    const after = await browser.get(`/${t.tenant.tenantId}/myapps`);
    expect(after.body).toContain('Authenticator app (set up');
    expect(after.body).not.toContain('Set up an authenticator app');
    // A session alone does not change an active second factor: the current code is asked.
    const noCode = await browser.submit(after, '/myapps/mfa/recovery-codes');
    expect(noCode.statusCode).toBe(400);
    expect(noCode.body).toContain('role="alert"');
    clock.advance(30_000);
    const renewed = await browser.submit(after, '/myapps/mfa/recovery-codes', {
      code: codeAt(secret, clock),
    });
    expect(renewed.statusCode).toBe(200);
    const fresh = shownRecoveryCodes(renewed);
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => codes.includes(c))).toBe(false);

    const unconfirmed = await browser.submit(after, '/myapps/mfa/remove');
    expect(unconfirmed.statusCode).toBe(400);
    expect(await methodsOf(id)).toHaveLength(1);
    const wrongCode = await browser.submit(after, '/myapps/mfa/remove', { confirm: 'on', code: '000000' });
    expect(wrongCode.statusCode).toBe(400);
    expect(await methodsOf(id)).toHaveLength(1);
    clock.advance(30_000);
    const removed = await browser.submit(after, '/myapps/mfa/remove', {
      confirm: 'on',
      code: codeAt(secret, clock),
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.body).toContain('The authenticator app was removed.');
    expect(await methodsOf(id)).toHaveLength(0);
    const log = await audit();
    expect(log).toContain('User deleted security info');
    expect(log).toContain('User changed default security info');
    // Nothing to renew without a method: the service refuses, the page says so.
    const refused = await browser.submit(after, '/myapps/mfa/recovery-codes');
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('role="alert"');
  });

  it('a Global Administrator resets a user’s MFA after a confirmation; a User Administrator cannot', async () => {
    const { id, upn } = await memberWithRole(t, admin, `reset-${dialect}`);
    const member = await consoleAs(t, upn, PASSWORD, '/myapps');
    await enrol(member.browser, member.page);
    const base = `/${t.tenant.tenantId}/admin`;

    const { upn: uaUpn } = await memberWithRole(t, admin, `ua-mfa-${dialect}`, 'User Administrator');
    const ua = await consoleAs(t, uaUpn, PASSWORD);
    const uaPage = await ua.browser.get(`${base}/users/${id}`);
    expect(uaPage.statusCode).toBe(200);
    expect(uaPage.body).not.toContain('Reset MFA');
    const csrf = /name="csrf" value="([^"]+)"/.exec(uaPage.body)![1]!;
    const uaPost = await ua.browser.post(`${base}/users/${id}/mfa-reset`, { csrf, confirm: 'on' });
    expect(uaPost.statusCode).toBe(403);
    expect(await methodsOf(id)).toHaveLength(1);

    const { browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const page = await browser.get(`${base}/users/${id}`);
    expect(page.body).toContain('1 authenticator app method(s)');
    const unconfirmed = await browser.submit(page, `/users/${id}/mfa-reset`);
    expect(unconfirmed.statusCode).toBe(400);
    expect(await methodsOf(id)).toHaveLength(1);
    const done = await browser.submit(page, `/users/${id}/mfa-reset`, { confirm: 'on' });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Done: Reset MFA.');
    expect(done.body).not.toContain('authenticator app method(s)');
    expect(await methodsOf(id)).toHaveLength(0);
    expect(await audit()).toContain('Admin deleted security info');
    // A second reset (another tab, a stale page) says there is nothing to reset instead of "Done".
    const again = await browser.submit(page, `/users/${id}/mfa-reset`, { confirm: 'on' });
    expect(again.statusCode).toBe(404);
    expect(again.body).toContain('This user has no authenticator app to reset.');
  });

  it('a redemption reset’s new email survives an expired session and comes back in the form', async () => {
    const invited = await admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: 'old.address@partner.example',
      inviteRedirectUrl: 'https://app.example',
    });
    const guestId = invited.json().invitedUser.id as string;
    const base = `/${t.tenant.tenantId}/admin`;
    const { browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const page = await browser.get(`${base}/users/${guestId}`);
    await t.app.services.db.deleteFrom('portal_sessions').execute();
    const posted = await browser.submit(page, `/users/${guestId}/reset`, {
      newEmail: 'new.address@partner.example',
    });
    expect(posted.statusCode).toBe(303);
    const restored = await signInFrom(
      browser,
      posted,
      t.tenant.adminUserPrincipalName,
      t.tenant.adminPassword,
    );
    expect(restored.statusCode).toBe(200);
    expect(restored.body).toContain('Your session had expired');
    expect(restored.body).toContain('value="new.address@partner.example"');
    // Nothing was done behind the person's back: the reset waits for their second submit.
    expect((await admin.get(`/v1.0/users/${guestId}`)).json().mail).toBe('old.address@partner.example');
    const submitted = await browser.submit(restored, `/users/${guestId}/reset`, {
      newEmail: 'new.address@partner.example',
    });
    expect(submitted.statusCode).toBe(200);
    expect(submitted.body).toContain('Done: Reset redemption.');
  });
});
