import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { type FaultyIdp, type IdTokenFault, startFaultyIdp } from '../helpers/faulty-idp.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { pageClient } from '../helpers/page-client.js';
import { openApp, registerApp } from '../mfa/support.js';
import { guestOf, inviteGuest } from '../redemption/support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';

const FAILED = {
  'en-US': 'Faulty IdP could not complete your sign-in, so nothing changed.',
  'fr-FR': 'Faulty IdP n’a pas pu terminer votre connexion, rien n’a changé.',
};
const UNVERIFIED = {
  'en-US': 'Faulty IdP did not confirm that',
  'fr-FR': 'Faulty IdP n’a pas confirmé que',
};

/**
 * Issue 9, "a token with a wrong issuer, audience, nonce or signature": a redemption through an IdP whose ID token
 * does not verify, over HTTP with a real (misbehaving) IdP on loopback. Each ends on the localized page, with the
 * invitation still pending, no identity bound, no session that could consent, and a failure in the sign-in log.
 */
describe.each(testDialects())('an IdP whose ID token does not verify (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let idp: FaultyIdp;

  beforeAll(async () => {
    idp = await startFaultyIdp();
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    const created = await admin.post(PROVIDERS, {
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Faulty IdP',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      metadataUrl: idp.metadataUrl,
      domains: ['faulty.example'],
    });
    expect(created.statusCode, created.body).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  /** Invites `login@faulty.example` and goes through the IdP, which answers with `fault`. */
  async function redeemWith(fault: IdTokenFault, login: string, language: 'en-US' | 'fr-FR' = 'en-US') {
    const email = `${login}@faulty.example`;
    const { path, guestId } = await inviteGuest(admin, email);
    const ticket = new URL(path, 'https://foyer.test').searchParams.get('ticket')!;
    const browser = pageClient(t.app, { 'accept-language': language });
    const toIdp = await browser.submit(await browser.get(path), '/redeem/start');
    expect(toIdp.statusCode).toBe(303);
    idp.fault = fault;
    idp.person = { sub: login, email };
    const back = new URL(await idp.authorize(String(toIdp.headers.location)));
    const page = await browser.get(`${back.pathname}${back.search}`);
    return { page, guestId, ticket, browser };
  }

  /** Nothing changed: pending, unbound, no session that reaches "Review permissions", and a logged failure. */
  async function expectNothingBound(result: Awaited<ReturnType<typeof redeemWith>>) {
    const { guestId, ticket, browser } = result;
    const { user, identities, invitation } = await guestOf(t, t.tenant.tenantId, guestId);
    expect(invitation.status).toBe('PendingAcceptance');
    expect(user.external_user_state).toBe('PendingAcceptance');
    expect(identities).toEqual([]);
    const review = await browser.get(`/redeem/review?ticket=${encodeURIComponent(ticket)}`);
    expect(review.statusCode).toBe(303);
    expect(review.headers.location).toBe(`/redeem?ticket=${encodeURIComponent(ticket)}`);
    const log = await admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq '${guestId}'`);
    const entries = log.json().value as Array<{ status: { errorCode: number; failureReason: string } }>;
    expect(entries).toHaveLength(1);
    expect(entries[0]!.status).toMatchObject({
      errorCode: 9000003,
      failureReason: 'The federated identity provider did not complete the sign-in.',
    });
  }

  it('a provider that behaves redeems (so the faults below are what fails)', async () => {
    const { page, browser, ticket, guestId } = await redeemWith('none', 'fine');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/redeem/review?ticket=${encodeURIComponent(ticket)}`);
    const consent = await browser.get(String(page.headers.location));
    expect(consent.body).toContain('Review permissions');
    const landed = await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect(landed.statusCode).toBe(303);
    expect((await guestOf(t, t.tenant.tenantId, guestId)).identities).toEqual([
      expect.objectContaining({ sign_in_type: 'federated', issuer: idp.issuer, issuer_assigned_id: 'fine' }),
    ]);
  });

  /** The tenant's sign-in log entries saying the IdP did not complete a sign-in (whoever it was for). */
  async function federationFailures() {
    const log = await admin.get('/v1.0/auditLogs/signIns');
    const entries = log.json().value as Array<{ status: { errorCode: number } }>;
    return entries.filter((entry) => entry.status.errorCode === 9000003).length;
  }

  it('a redeemed guest whose IdP later signs a token with a foreign key gets the page, and the app no code', async () => {
    const appId = await registerApp(admin, 'Faulty app');
    const email = 'fine@faulty.example';
    const { browser, page } = await openApp(t, t.tenant.tenantId, appId);
    const toIdp = await browser.submit(page, '/identify', { email });
    expect(toIdp.statusCode).toBe(303);
    const failuresBefore = await federationFailures();
    idp.fault = 'foreignKey';
    idp.person = { sub: 'fine', email };
    const back = new URL(await idp.authorize(String(toIdp.headers.location)));
    const failed = await browser.get(`${back.pathname}${back.search}`);
    expect(failed.statusCode).toBe(400);
    expect(failed.body).toContain(FAILED['en-US']);
    expect(failed.headers.location).toBeUndefined();
    expect(await federationFailures()).toBe(failuresBefore + 1);
  });

  const tokenFaults: Array<[IdTokenFault, string, 'en-US' | 'fr-FR']> = [
    ['wrongIssuer', 'an ID token from another issuer', 'en-US'],
    ['wrongAudience', 'an ID token for another client', 'fr-FR'],
    ['wrongNonce', 'an ID token with another nonce', 'en-US'],
    ['missingNonce', 'an ID token without the nonce', 'fr-FR'],
    ['foreignKey', 'an ID token signed by a key not in the JWKS', 'en-US'],
    ['expired', 'an expired ID token', 'fr-FR'],
  ];
  it.each(tokenFaults)('%s: %s gets the failure page in %s', async (fault, _what, language) => {
    const result = await redeemWith(fault, fault.toLowerCase(), language);
    expect(result.page.statusCode, result.page.body).toBe(400);
    expect(result.page.headers['content-type']).toContain('text/html');
    expect(result.page.body).toContain(FAILED[language]);
    expect(result.page.body).toContain('Request_FederationFailed');
    await expectNothingBound(result);
  });

  const emailFaults: Array<[IdTokenFault, 'en-US' | 'fr-FR']> = [
    ['emailUnverified', 'en-US'],
    ['emailVerifiedMissing', 'fr-FR'],
  ];
  it.each(emailFaults)(
    '%s: an address the IdP does not vouch for gets its page in %s',
    async (fault, language) => {
      const result = await redeemWith(fault, fault.toLowerCase(), language);
      expect(result.page.statusCode, result.page.body).toBe(403);
      expect(result.page.body).toContain(UNVERIFIED[language]);
      expect(result.page.body).toContain(`${fault.toLowerCase()}@faulty.example`);
      await expectNothingBound(result);
    },
  );
});
