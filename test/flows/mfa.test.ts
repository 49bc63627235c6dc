import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { browserAvailable } from '../helpers/browser.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { callerFor, type GraphClient } from '../helpers/graph.js';
import { audit, type FlowEnv, startFlowEnv } from './support.js';

const PASSWORD = 'correct horse battery staple';

/** What an authenticator app shows for the key at `offsetMs` from now (RFC 6238: SHA-1, 6 digits, 30 s). */
const totp = (base32: string, offsetMs = 0) =>
  TOTP.generate({ secret: Secret.fromBase32(base32), timestamp: Date.now() + offsetMs });

/**
 * MFA in real Chromium: TOTP enrolment with the code computed here from the key the page shows, sign-in with a
 * code, a replayed code refused, a recovery code, an administrator's reset and re-enrolment, and a trusted
 * partner's MFA accepted where an untrusted one's is not.
 */
describe.runIf(browserAvailable()).each(testDialects())('MFA in Chromium (%s)', (dialect) => {
  let env: FlowEnv;
  let fabrikam: ProvisionedTenant;
  let fabrikamAdmin: GraphClient;
  let fabrikamClientId: string;

  beforeAll(async () => {
    env = await startFlowEnv(dialect);
    fabrikam = await provisionOtherTenant(env.t);
    fabrikamAdmin = await callerFor(env.t, fabrikam);
    const created = await fabrikamAdmin.post('/v1.0/applications', {
      displayName: 'Fabrikam intranet',
      publicClient: { redirectUris: [`${env.base}/healthz`] },
    });
    fabrikamClientId = (created.json() as { appId: string }).appId;
  });
  afterAll(async () => {
    await env?.close();
  });

  async function createMember(name: string) {
    const upn = `${name}@${env.t.tenant.tenantSlug}.foyer.localhost`;
    const created = await env.admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: name,
      mailNickname: name,
      userPrincipalName: upn,
      passwordProfile: { password: PASSWORD },
    });
    expect(created.statusCode).toBe(201);
    return { upn, id: (created.json() as { id: string }).id };
  }

  /** Demo app → Sign in → address → password: the page that follows. */
  async function signIn(page: Page, email: string, password = PASSWORD) {
    await page.goto(`${env.base}/demo`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await password_(page, email, password);
  }

  async function password_(page: Page, email: string, password: string) {
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** On the enrolment page: reads the key, confirms with a computed code, returns the key and recovery codes. */
  async function enrolHere(page: Page) {
    await expect.poll(() => page.title()).toContain('Set up two-step verification');
    await expect(page.getByRole('img', { name: /QR code/ }).isVisible()).resolves.toBe(true);
    await audit(env, page);
    const key = ((await page.locator('#mfa-secret').textContent()) ?? '').replace(/\s+/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    const used = totp(key);
    await page.getByLabel('Authenticator code').fill(used);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.title()).toContain('Save your recovery codes');
    await audit(env, page);
    const codes = await page.getByRole('list', { name: 'Recovery codes' }).locator('code').allTextContents();
    expect(codes).toHaveLength(10);
    await page.getByRole('button', { name: 'Continue' }).click();
    return { key, codes, used };
  }

  const claimsText = async (page: Page) => {
    await page.waitForURL(/\/demo\/callback/);
    return (await page.locator('main').textContent()) ?? '';
  };

  it('enrolment, a code at the next sign-in, a replayed code refused, a recovery code, reset and re-enrolment', async () => {
    expect(
      (await env.admin.patch('/v1.0/policies/b2bManagementPolicy', { mfaRequiredForMembers: true }))
        .statusCode,
    ).toBe(204);
    const { upn, id } = await createMember('chromium.mfa');

    const first = await env.browser.newContext();
    const enrolPage = await first.newPage();
    await signIn(enrolPage, upn);
    const { key, codes, used } = await enrolHere(enrolPage);
    expect(await claimsText(enrolPage)).toContain('amr["pwd","mfa"]');
    await first.close();

    // The code just used, again: refused (whether or not its 30 s have passed since: a loaded machine may take
    // that long). The next one (keyboard only): accepted.
    const second = await env.browser.newContext();
    const page = await second.newPage();
    await signIn(page, upn);
    await expect.poll(() => page.title()).toContain('Two-step verification');
    await audit(env, page);
    await page.getByLabel('Authenticator code').fill(used);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain(
      'not valid or was already used',
    );
    await page.getByLabel('Authenticator code').focus();
    await page.keyboard.type(totp(key, 30_000));
    await page.keyboard.press('Enter');
    expect(await claimsText(page)).toContain('amr["pwd","mfa"]');
    await second.close();

    // A recovery code instead of the device.
    const third = await env.browser.newContext();
    const recoveryPage = await third.newPage();
    await signIn(recoveryPage, upn);
    await recoveryPage.getByLabel('Recovery code').fill(codes[0]!);
    await recoveryPage.getByRole('button', { name: 'Sign in with a recovery code' }).click();
    expect(await claimsText(recoveryPage)).toContain('mfa');
    await third.close();

    // The administrator resets it: the next sign-in enrols again, with a new key.
    const listed = await env.admin.get(`/v1.0/users/${id}/authentication/softwareOathMethods`);
    const methodId = (listed.json() as { value: Array<{ id: string }> }).value[0]!.id;
    expect(
      (await env.admin.delete(`/v1.0/users/${id}/authentication/softwareOathMethods/${methodId}`)).statusCode,
    ).toBe(204);
    const fourth = await env.browser.newContext();
    const again = await fourth.newPage();
    await signIn(again, upn);
    const renewed = await enrolHere(again);
    expect(renewed.key).not.toBe(key);
    expect(await claimsText(again)).toContain('amr["pwd","mfa"]');
    await fourth.close();
    expect(
      (await env.admin.patch('/v1.0/policies/b2bManagementPolicy', { mfaRequiredForMembers: false }))
        .statusCode,
    ).toBe(204);
  }, 120_000);

  it("a trusted partner's MFA is accepted; an untrusted one's is not", async () => {
    expect(
      (await env.admin.patch('/v1.0/policies/b2bManagementPolicy', { mfaRequiredForGuests: true }))
        .statusCode,
    ).toBe(204);
    expect(
      (await fabrikamAdmin.patch('/v1.0/policies/b2bManagementPolicy', { mfaRequiredForMembers: true }))
        .statusCode,
    ).toBe(204);
    const invited = await env.admin.post('/v1.0/invitations', {
      invitedUserEmailAddress: fabrikam.adminUserPrincipalName,
      inviteRedirectUrl: `${env.base}/demo`,
      sendInvitationMessage: false,
    });
    expect(invited.statusCode).toBe(201);

    // The member passes their own tenant's MFA, signing in to one of its apps.
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const authorize = new URL(`${env.base}/${fabrikam.tenantId}/oauth2/v2.0/authorize`);
    for (const [name, value] of Object.entries({
      client_id: fabrikamClientId,
      response_type: 'code',
      redirect_uri: `${env.base}/healthz`,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      state: 'fabrikam',
    })) {
      authorize.searchParams.set(name, value);
    }
    await page.goto(authorize.href);
    await password_(page, fabrikam.adminUserPrincipalName, fabrikam.adminPassword);
    await enrolHere(page);
    await page.waitForURL(/\/healthz\?code=/);

    // Contoso does not trust Fabrikam yet: after reviewing permissions, its own MFA is asked.
    await page.goto(`${env.base}/demo`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => page.title()).toContain('Review permissions');
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.title()).toContain('Set up two-step verification');

    // Trusted: the same browser goes through without a second prompt, and the tokens say mfa.
    const trusted = await env.admin.post('/v1.0/policies/crossTenantAccessPolicy/partners', {
      tenantId: fabrikam.tenantId,
      inboundTrust: { isMfaAccepted: true },
    });
    expect(trusted.statusCode).toBe(201);
    await page.goto(`${env.base}/demo`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    const claims = await claimsText(page);
    expect(claims).toContain('amr["pwd","mfa"]');
    expect(claims).toContain('acct1');
    const log = await env.admin.get('/v1.0/auditLogs/signIns?$top=1');
    expect(log.json()).toMatchObject({ value: [{ mfaSource: 'homeTenant', status: { errorCode: 0 } }] });
    await context.close();
  }, 60_000);

  it('no page met has a serious or critical accessibility violation', () => {
    expect(env.audited).toBeGreaterThan(4);
    expect(env.violations).toEqual([]);
  });
});
