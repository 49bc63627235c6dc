import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { pageClient } from '../helpers/page-client.js';
import { guestOf, inviteGuest, latestCode } from './support.js';

describe.each(testDialects())('redemption over HTTP (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
  });
  afterAll(() => t.close());

  it('GET /redeem shows who invites whom, changes nothing, and leaks no referrer', async () => {
    const { path, guestId } = await inviteGuest(admin, 'scanner@partner.example');
    const browser = pageClient(t.app);
    const page = await browser.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.body).toContain('scanner@partner.example');
    expect(page.body).toContain('Contoso');
    expect(page.body).toContain('not provided');
    await browser.get(path);
    const { user, invitation } = await guestOf(t, t.tenant.tenantId, guestId);
    expect(invitation.status).toBe('PendingAcceptance');
    expect(user.external_user_state).toBe('PendingAcceptance');
  });

  it('redeems with the email one-time passcode, after consent, and lands on the redirect URL', async () => {
    const email = 'Otp.Guest@Partner.example';
    const { path, guestId } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const landing = await browser.get(path);
    const codePage = await browser.submit(landing, '/redeem/start');
    expect(codePage.body).toContain('8-digit code');

    const wrong = await browser.submit(codePage, '/redeem/passcode', { code: '00000000' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('not valid');

    const consent = await browser.submit(wrong, '/redeem/passcode', { code: await latestCode(t, email) });
    expect(consent.statusCode).toBe(200);
    expect(consent.body).toContain('Review permissions');
    expect((await guestOf(t, t.tenant.tenantId, guestId)).invitation.status).toBe('PendingAcceptance');

    const landed = await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe('https://apps.contoso.example/welcome');
    const { user, identities, invitation } = await guestOf(t, t.tenant.tenantId, guestId);
    expect(invitation.status).toBe('Accepted');
    expect(user.external_user_state).toBe('Accepted');
    expect(user.consented_at).not.toBeNull();
    expect(identities).toEqual([
      expect.objectContaining({
        sign_in_type: 'federated',
        issuer: 'mail',
        issuer_assigned_id: email.toLowerCase(),
      }),
    ]);

    // The same link again: sign-in as that guest, never a second binding.
    const again = await pageClient(t.app).get(path);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('already been accepted');
  });

  it('redeems with a member account of another tenant, by password', async () => {
    const email = fabrikam.adminUserPrincipalName;
    const { path, guestId } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const passwordPage = await browser.submit(await browser.get(path), '/redeem/start');
    expect(passwordPage.body).toContain('Enter your password');
    const refused = await browser.submit(passwordPage, '/redeem/password', {
      password: 'not the password at all',
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('incorrect');
    const consent = await browser.submit(refused, '/redeem/password', { password: fabrikam.adminPassword });
    expect(consent.body).toContain('Review permissions');
    const landed = await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect(landed.statusCode).toBe(303);
    const { identities } = await guestOf(t, t.tenant.tenantId, guestId);
    expect(identities[0]).toMatchObject({ issuer: `https://foyer.test/${fabrikam.tenantId}/v2.0` });
  });

  it('creates a personal account when nothing else applies, then redeems with it', async () => {
    await admin.patch('/v1.0/policies/b2bManagementPolicy', { emailOneTimePasscodeEnabled: false });
    try {
      const email = 'newcomer@elsewhere.example';
      const { path, guestId } = await inviteGuest(admin, email);
      const browser = pageClient(t.app);
      const signup = await browser.submit(await browser.get(path), '/redeem/start');
      expect(signup.body).toContain('Create your account');
      const weak = await browser.submit(signup, '/redeem/signup', {
        code: await latestCode(t, email),
        displayName: 'New Comer',
        password: 'short',
      });
      expect(weak.statusCode).toBe(400);
      const consent = await browser.submit(weak, '/redeem/signup', {
        code: await latestCode(t, email),
        displayName: 'New Comer',
        password: 'a long enough passphrase',
      });
      expect(consent.body).toContain('Review permissions');
      await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
      const { identities } = await guestOf(t, t.tenant.tenantId, guestId);
      expect(identities[0]).toMatchObject({ issuer: 'personal' });

      // Invited elsewhere later, the personal account is what the precedence offers.
      const fabrikamAdmin = await adminCallerFor(t, fabrikam);
      const second = await inviteGuest(fabrikamAdmin, email);
      const other = pageClient(t.app);
      const passwordPage = await other.submit(await other.get(second.path), '/redeem/start');
      expect(passwordPage.body).toContain('Enter your password');
    } finally {
      await admin.patch('/v1.0/policies/b2bManagementPolicy', { emailOneTimePasscodeEnabled: true });
    }
  });

  it('cancel leaves the invitation pending; a missing CSRF token is refused with a page', async () => {
    const email = 'hesitant@partner.example';
    const { path, guestId } = await inviteGuest(admin, email);
    const browser = pageClient(t.app);
    const codePage = await browser.submit(await browser.get(path), '/redeem/start');
    const consent = await browser.submit(codePage, '/redeem/passcode', { code: await latestCode(t, email) });
    const cancelled = await browser.submit(consent, '/redeem/consent', { decision: 'cancel' });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.body).toContain('stays open');
    expect((await guestOf(t, t.tenant.tenantId, guestId)).invitation.status).toBe('PendingAcceptance');

    const forged = await browser.submit(consent, '/redeem/consent', { decision: 'accept', csrf: 'forged' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['content-type']).toContain('text/html');
    expect((await guestOf(t, t.tenant.tenantId, guestId)).invitation.status).toBe('PendingAcceptance');
  });

  it('tampered, replaced and revoked links get a clear page, never JSON', async () => {
    const browser = pageClient(t.app);
    const tampered = await browser.get('/redeem?ticket=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(tampered.statusCode).toBe(404);
    expect(tampered.body).toContain('not valid');
    const first = await inviteGuest(admin, 'twice@partner.example');
    await inviteGuest(admin, 'twice@partner.example');
    expect((await browser.get(first.path)).statusCode).toBe(404);
    const revoked = await inviteGuest(admin, 'revoked@partner.example');
    const { invitation } = await guestOf(t, t.tenant.tenantId, revoked.guestId);
    await admin.post(`/v1.0/invitations/${invitation.id}/revoke`);
    const page = await browser.get(revoked.path);
    expect(page.statusCode).toBe(410);
    expect(page.body).toContain('withdrawn');
  });

  it('two browsers racing one ticket: exactly one wins', async () => {
    const email = 'racer@partner.example';
    const { path, guestId } = await inviteGuest(admin, email);
    const consents = [];
    for (const browser of [pageClient(t.app), pageClient(t.app)]) {
      const codePage = await browser.submit(await browser.get(path), '/redeem/start');
      consents.push({
        browser,
        consent: await browser.submit(codePage, '/redeem/passcode', { code: await latestCode(t, email) }),
      });
    }
    const results = await Promise.all(
      consents.map(({ browser, consent }) =>
        browser.submit(consent, '/redeem/consent', { decision: 'accept' }),
      ),
    );
    // The loser either lost the guarded update (409) or arrived after the commit (the "already accepted" page).
    expect(results.filter((r) => r.statusCode === 303)).toHaveLength(1);
    expect(results.find((r) => r.statusCode !== 303)?.body).toContain('already been accepted');
    expect((await guestOf(t, t.tenant.tenantId, guestId)).identities).toHaveLength(1);
  });

  it('the domain policy is checked again at redemption', async () => {
    const email = 'late@blocked.example';
    const { path, guestId } = await inviteGuest(admin, email);
    await admin.patch('/v1.0/policies/b2bManagementPolicy', {
      invitationsAllowedAndBlockedDomainsPolicy: { blockedDomains: ['blocked.example'] },
    });
    try {
      const browser = pageClient(t.app);
      const refused = await browser.submit(await browser.get(path), '/redeem/start');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('no longer accepts');
      expect((await guestOf(t, t.tenant.tenantId, guestId)).invitation.status).toBe('PendingAcceptance');
    } finally {
      await admin.patch('/v1.0/policies/b2bManagementPolicy', {
        invitationsAllowedAndBlockedDomainsPolicy: {},
      });
    }
  });

  it('speaks French to a French browser', async () => {
    const { path } = await inviteGuest(admin, 'francais@partner.example');
    const page = await pageClient(t.app, { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' }).get(path);
    expect(page.body).toContain('lang="fr-FR"');
    expect(page.body).toContain('Vous êtes invité(e)');
  });
});

async function adminCallerFor(t: TestApp, tenant: ProvisionedTenant) {
  const { appToken } = await import('../helpers/tokens.js');
  const { graphClient } = await import('../helpers/graph.js');
  return graphClient(
    t.app,
    await appToken(t.app, {
      tenant: tenant.tenantSlug,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
    }),
  );
}
