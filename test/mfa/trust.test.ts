import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { buildTestApp, provisionOtherTenant, type TestApp } from '../helpers/build-test-app.js';
import { movableClock } from '../helpers/clock.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, callerFor, type GraphClient } from '../helpers/graph.js';
import { finishAuthorization, follow } from '../helpers/oidc-app.js';
import { pageClient } from '../helpers/page-client.js';
import { inviteGuest, latestCode } from '../redemption/support.js';
import {
  codeAt,
  isEnrolPage,
  openApp,
  passwordSignIn,
  REDIRECT,
  registerApp,
  setPolicy,
  shownRecoveryCodes,
  shownSecret,
} from './support.js';

/**
 * The resource tenant's MFA for guests: in a redemption, and for a guest whose home tenant is on this instance —
 * asked again unless the resource tenant trusts the home tenant's MFA (crossTenantAccessPolicy/partners) and the
 * home session passed it.
 */
describe.each(testDialects())('MFA for guests and inbound trust (%s)', (dialect) => {
  const clock = movableClock();
  let t: TestApp;
  let contoso: GraphClient;
  let fabrikam: ProvisionedTenant;
  let fabrikamAdmin: GraphClient;
  let contosoApp: string;
  let fabrikamApp: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect, { clock });
    contoso = await adminCaller(t);
    fabrikam = await provisionOtherTenant(t);
    fabrikamAdmin = await callerFor(t, fabrikam);
    contosoApp = await registerApp(contoso, 'Contoso app');
    fabrikamApp = await registerApp(fabrikamAdmin, 'Fabrikam app');
    await setPolicy(contoso, { mfaRequiredForGuests: true });
    await setPolicy(fabrikamAdmin, { mfaRequiredForMembers: true });
  });
  afterAll(() => t.close());

  async function latestSignIn(client: GraphClient) {
    const response = await client.get('/v1.0/auditLogs/signIns?$top=1');
    return (response.json() as { value: Array<Record<string, unknown>> }).value[0]!;
  }

  it('a redemption asks for MFA after consent, before the redirect to inviteRedirectUrl', async () => {
    const email = 'mfa.redeemer@partner.example';
    const { path } = await inviteGuest(contoso, email);
    const browser = pageClient(t.app);
    const landing = await browser.get(path);
    const codePage = await browser.submit(landing, '/redeem/start');
    const consent = await browser.submit(codePage, '/redeem/passcode', { code: await latestCode(t, email) });
    expect(consent.body).toContain('Review permissions');
    const enrolment = await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect(isEnrolPage(enrolment)).toBe(true);
    const wrong = await browser.submit(enrolment, '/redeem/mfa', { code: '000000' });
    expect(wrong.statusCode).toBe(401);
    expect(shownSecret(wrong)).toBe(shownSecret(enrolment));
    const codes = await browser.submit(wrong, '/redeem/mfa', { code: codeAt(shownSecret(enrolment), clock) });
    expect(shownRecoveryCodes(codes)).toHaveLength(10);
    const done = await browser.submit(codes, '/redeem/mfa');
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('https://apps.contoso.example/welcome');
    expect(await latestSignIn(contoso)).toMatchObject({
      userPrincipalName: expect.stringContaining('mfa.redeemer'),
      status: { errorCode: 0 },
      authenticationRequirement: 'multiFactorAuthentication',
      mfaSource: 'resourceTenant',
    });
    // The invitation's app, in the same browser session: the tenant's MFA is not asked again (the provider has
    // no session yet; the browser session's record of the passed MFA answers).
    const app = await openApp(t, t.tenant.tenantId, contosoApp, browser);
    expect(app.page.statusCode).toBe(303);
    const tokens = await finishAuthorization(app.rp, String(app.page.headers.location), app.started);
    expect(tokens.claims()).toMatchObject({ acct: 1, amr: ['otp', 'mfa'] });
    expect(await latestSignIn(contoso)).toMatchObject({
      status: { errorCode: 0 },
      authenticationMethodsUsed: ['Previously satisfied', 'OATH verification code'],
      mfaSource: 'resourceTenant',
    });
  });

  it("a trusted partner's MFA is accepted, an untrusted one's is not", async () => {
    await inviteGuest(contoso, fabrikam.adminUserPrincipalName);
    // The member passes their own tenant's MFA: the home session's amr gets `mfa`.
    const home = await openApp(t, fabrikam.tenantId, fabrikamApp);
    const enrolment = await passwordSignIn(
      home.browser,
      home.page,
      fabrikam.adminUserPrincipalName,
      fabrikam.adminPassword,
    );
    expect(isEnrolPage(enrolment)).toBe(true);
    const codes = await home.browser.submit(enrolment, '/mfa', {
      code: codeAt(shownSecret(enrolment), clock),
    });
    const back = await follow(home.browser, await home.browser.submit(codes, '/mfa'), REDIRECT);
    const homeTokens = await finishAuthorization(home.rp, String(back.headers.location), home.started);
    expect(homeTokens.claims()?.amr).toEqual(['pwd', 'mfa']);

    // Untrusted: Contoso asks for its own MFA (the guest reviews permissions first, just in time).
    const untrusted = await openApp(t, t.tenant.tenantId, contosoApp, home.browser);
    expect(untrusted.page.body).toContain('Review permissions');
    const asked = await home.browser.submit(untrusted.page, '/review', { decision: 'accept' });
    expect(isEnrolPage(asked)).toBe(true);
    expect(await latestSignIn(contoso)).toMatchObject({ status: { errorCode: 50079 } });

    // Trusted: the same home session goes through without a second prompt.
    const created = await contoso.post('/v1.0/policies/crossTenantAccessPolicy/partners', {
      tenantId: fabrikam.tenantId,
      inboundTrust: { isMfaAccepted: true },
    });
    expect(created.statusCode).toBe(201);
    const trusted = await openApp(t, t.tenant.tenantId, contosoApp, home.browser);
    expect(trusted.page.statusCode).toBe(303);
    const tokens = await finishAuthorization(
      trusted.rp,
      String(trusted.page.headers.location),
      trusted.started,
    );
    expect(tokens.claims()).toMatchObject({ tid: t.tenant.tenantId, acct: 1, amr: ['pwd', 'mfa'] });
    expect(await latestSignIn(contoso)).toMatchObject({
      status: { errorCode: 0 },
      homeTenantId: fabrikam.tenantId,
      authenticationRequirement: 'multiFactorAuthentication',
      mfaSource: 'homeTenant',
      mfaDetail: { authMethod: 'Previously satisfied' },
    });

    // A home session that did not pass MFA is not enough, trust or not.
    const direct = await openApp(t, t.tenant.tenantId, contosoApp);
    const page = await passwordSignIn(
      direct.browser,
      direct.page,
      fabrikam.adminUserPrincipalName,
      fabrikam.adminPassword,
    );
    expect(isEnrolPage(page)).toBe(true);

    // Trust withdrawn: a new home session that passed MFA is asked again.
    const patched = await contoso.patch(
      `/v1.0/policies/crossTenantAccessPolicy/partners/${fabrikam.tenantId}`,
      {
        inboundTrust: { isMfaAccepted: false },
      },
    );
    expect(patched.statusCode).toBe(204);
    clock.advance(30_000);
    const again = await openApp(t, fabrikam.tenantId, fabrikamApp);
    const verify = await passwordSignIn(
      again.browser,
      again.page,
      fabrikam.adminUserPrincipalName,
      fabrikam.adminPassword,
    );
    const code = codeAt(shownSecret(enrolment), clock);
    const passed = await follow(
      again.browser,
      await again.browser.submit(verify, '/mfa', { code }),
      REDIRECT,
    );
    expect(passed.statusCode).toBe(303);
    const withdrawn = await openApp(t, t.tenant.tenantId, contosoApp, again.browser);
    expect(isEnrolPage(withdrawn.page)).toBe(true);
    clock.reset();
  });
});
