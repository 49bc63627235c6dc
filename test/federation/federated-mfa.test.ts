import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { type FaultyIdp, startFaultyIdp } from '../helpers/faulty-idp.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { finishAuthorization, follow } from '../helpers/oidc-app.js';
import type { PageClient } from '../helpers/page-client.js';
import { pageClient } from '../helpers/page-client.js';
import {
  codeAt,
  isEnrolPage,
  isVerifyPage,
  openApp,
  REDIRECT,
  registerApp,
  setPolicy,
  shownRecoveryCodes,
  shownSecret,
} from '../mfa/support.js';
import { guestOf, inviteGuest } from '../redemption/support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';

/**
 * A federated guest of a tenant that requires MFA for guests (b2bManagementPolicy.mfaRequiredForGuests): the IdP
 * is the first factor, the tenant's TOTP comes after it — at redemption (enrolment) and at each sign-in
 * (verification) — and the tokens, read by openid-client, say both: `amr` has `fed` and `mfa`.
 */
describe.each(testDialects())('MFA after a federated IdP (%s)', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let admin: GraphClient;
  let idp: FaultyIdp;
  let appId: string;

  beforeAll(async () => {
    idp = await startFaultyIdp();
    t = await buildTestApp(dialect, { clock });
    admin = await adminCaller(t);
    const created = await admin.post(PROVIDERS, {
      '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
      displayName: 'Partner IdP',
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      metadataUrl: idp.metadataUrl,
      domains: ['mfa-fed.example'],
    });
    expect(created.statusCode, created.body).toBe(201);
    await setPolicy(admin, { mfaRequiredForGuests: true });
    appId = await registerApp(admin, 'Partner portal');
  });
  afterAll(async () => {
    await t?.close();
    await idp?.stop();
  });

  /** The browser's round trip through the IdP: from Foyer's redirect to it, back to Foyer's callback. */
  async function throughIdp(
    browser: PageClient,
    toIdp: { statusCode: number; headers: Record<string, unknown> },
  ) {
    expect(toIdp.statusCode).toBe(303);
    const callback = new URL(await idp.authorize(String(toIdp.headers.location)));
    return browser.get(`${callback.pathname}${callback.search}`);
  }

  it('asks for TOTP after the IdP at redemption and at sign-in; the tokens have amr fed and mfa', async () => {
    const email = 'mfa.guest@mfa-fed.example';
    idp.fault = 'none';
    idp.person = { sub: 'mfa-guest', email };
    const { path, guestId } = await inviteGuest(admin, email);

    // Redemption: the IdP, "Review permissions", then enrolment before the redirect URL.
    const browser = pageClient(t.app);
    const back = await throughIdp(browser, await browser.submit(await browser.get(path), '/redeem/start'));
    const review = await browser.get(String(back.headers.location));
    expect(review.body).toContain('Review permissions');
    const enrolment = await browser.submit(review, '/redeem/consent', { decision: 'accept' });
    expect(isEnrolPage(enrolment)).toBe(true);
    const secret = shownSecret(enrolment);
    const codes = await browser.submit(enrolment, '/redeem/mfa', { code: codeAt(secret, clock) });
    expect(shownRecoveryCodes(codes)).toHaveLength(10);
    const landed = await browser.submit(codes, '/redeem/mfa');
    expect(landed.statusCode).toBe(303);
    expect(landed.headers.location).toBe('https://apps.contoso.example/welcome');
    expect((await guestOf(t, t.tenant.tenantId, guestId)).invitation.status).toBe('Accepted');

    // Sign-in to an app in a new browser: the address goes to the IdP, then the code is asked.
    clock.advance(30_000);
    const { rp, started, browser: signIn, page } = await openApp(t, t.tenant.tenantId, appId);
    const afterIdp = await throughIdp(signIn, await signIn.submit(page, '/identify', { email }));
    const codePage = await follow(signIn, afterIdp, REDIRECT);
    expect(isVerifyPage(codePage)).toBe(true);
    const callback = await follow(
      signIn,
      await signIn.submit(codePage, '/mfa', { code: codeAt(secret, clock) }),
      REDIRECT,
    );
    expect(callback.statusCode).toBe(303);
    const claims = (await finishAuthorization(rp, String(callback.headers.location), started)).claims()!;
    expect(claims.amr).toEqual(expect.arrayContaining(['fed', 'mfa']));
    expect(claims.idp).toBe(idp.issuer);
    expect(claims.oid).toBe(guestId);

    const log = await admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq '${guestId}'`);
    expect((log.json().value as Array<Record<string, unknown>>)[0]).toMatchObject({
      status: { errorCode: 0 },
      authenticationRequirement: 'multiFactorAuthentication',
      mfaSource: 'resourceTenant',
    });
  });
});
