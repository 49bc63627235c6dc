import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { type FaultyIdp, startFaultyIdp } from '../helpers/faulty-idp.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { formsOf, type PageClient, pageClient } from '../helpers/page-client.js';
import { guestOf, inviteGuest, latestCode } from '../redemption/support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';

/**
 * src/redemption/routes.ts, sessionFits: where the inviting tenant federates the address's domain, "Review
 * permissions" and consent accept only a session from that provider. A browser already signed in as the invited
 * address some other way (a passcode, a personal account) cannot redeem with that session; it is sent to the IdP.
 */
describe.each(testDialects())('a federated address redeems only through its provider (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let fabrikam: ProvisionedTenant;
  let idp: FaultyIdp;

  beforeAll(async () => {
    idp = await startFaultyIdp();
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    const created = await admin.post(PROVIDERS, {
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Partner IdP',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      metadataUrl: idp.metadataUrl,
      domains: ['partner-fed.example'],
    });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  /** Contoso's invitation, opened in `browser` that is already signed in as `email` otherwise: nothing redeems. */
  async function expectRefusedThenFederated(browser: PageClient, email: string, sub: string) {
    const { path, guestId } = await inviteGuest(admin, email);
    const ticket = new URL(path, 'https://foyer.test').searchParams.get('ticket')!;
    const back = `/redeem?ticket=${encodeURIComponent(ticket)}`;
    const landing = await browser.get(path);
    expect(landing.body).toContain(email);

    // Consent posted straight away (with a valid form token) and review: both send back to the invitation.
    const start = formsOf(landing.body).find((form) => form.action.endsWith('/redeem/start'))!;
    const consent = await browser.post('/redeem/consent', { ...start.fields, decision: 'accept' });
    expect(consent.statusCode).toBe(303);
    expect(consent.headers.location).toBe(back);
    const review = await browser.get(`/redeem/review?ticket=${encodeURIComponent(ticket)}`);
    expect(review.statusCode).toBe(303);
    expect(review.headers.location).toBe(back);
    const pending = await guestOf(t, t.tenant.tenantId, guestId);
    expect(pending.invitation.status).toBe('PendingAcceptance');
    expect(pending.identities).toEqual([]);

    // Continuing goes to the provider, not to "Review permissions"; only its identity redeems.
    const toIdp = await browser.submit(landing, '/redeem/start');
    expect(toIdp.statusCode).toBe(303);
    expect(String(toIdp.headers.location)).toMatch(new RegExp(`^${idp.issuer}/authorize\\?`));
    idp.fault = 'none';
    idp.person = { sub, email };
    const callback = new URL(await idp.authorize(String(toIdp.headers.location)));
    const reviewPage = await browser.get(
      String((await browser.get(`${callback.pathname}${callback.search}`)).headers.location),
    );
    expect(reviewPage.body).toContain('Review permissions');
    const landed = await browser.submit(reviewPage, '/redeem/consent', { decision: 'accept' });
    expect(landed.statusCode).toBe(303);
    expect((await guestOf(t, t.tenant.tenantId, guestId)).identities).toEqual([
      expect.objectContaining({ sign_in_type: 'federated', issuer: idp.issuer, issuer_assigned_id: sub }),
    ]);
  }

  it('a passcode session for the address (from another tenant’s invitation) does not redeem', async () => {
    const email = 'otp@partner-fed.example';
    const browser = pageClient(t.app);
    const { path } = await inviteGuest(await callerFor(t, fabrikam), email);
    const codePage = await browser.submit(await browser.get(path), '/redeem/start');
    expect(codePage.body).toContain('8-digit code');
    const signedIn = await browser.submit(codePage, '/redeem/passcode', { code: await latestCode(t, email) });
    expect(signedIn.body).toContain('Review permissions');
    await expectRefusedThenFederated(browser, email, 'otp-sub');
  });

  it('a personal-account session for the address does not redeem', async () => {
    const email = 'self@partner-fed.example';
    const browser = pageClient(t.app);
    const form = await browser.submit(await browser.get('/signup'), '/signup/identify', { email });
    const done = await browser.submit(form, '/signup/signup', {
      code: await latestCode(t, email),
      displayName: 'Self',
      password: 'a long enough passphrase',
    });
    expect(done.body).toContain('Your account is ready');
    await expectRefusedThenFederated(browser, email, 'self-sub');
  });
});
