import * as client from 'openid-client';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { testDialects } from '../helpers/database.js';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.js';
import { audit, type FlowEnv, inviteWithMail, startFlowEnv } from './support.js';

const PROVIDERS = '/v1.0/identity/identityProviders';
/** Each flow crosses two servers and a browser; the whole suite on two cores slows it several times over. */
const FLOW_TIMEOUT = 120_000;

/**
 * Redemption and sign-in through a tenant's identity providers in real Chromium (issue 9). Each IdP is a real
 * oidc-provider on a loopback port with its own accounts; the "Google" one is the preset, found through
 * FOYER_GOOGLE_ISSUER. The claims are read by openid-client as a relying party of the tenant.
 */
describe.runIf(browserAvailable()).each(testDialects())('federation in Chromium (%s)', (dialect) => {
  let env: FlowEnv;
  let partner: TestIdp;
  let google: TestIdp;

  beforeAll(async () => {
    const callback = () => `${env.base}/federation/callback`;
    partner = await startTestIdp({ redirectUri: callback });
    google = await startTestIdp({ redirectUri: callback });
    env = await startFlowEnv(dialect, { FOYER_GOOGLE_ISSUER: google.issuer });
    const created = await Promise.all([
      env.admin.post(PROVIDERS, {
        '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
        displayName: 'Partner Login',
        clientId: partner.clientId,
        clientSecret: partner.clientSecret,
        metadataUrl: partner.metadataUrl,
        domains: ['partner-idp.example'],
      }),
      env.admin.post(PROVIDERS, {
        '@odata.type': '#microsoft.graph.socialIdentityProvider',
        identityProviderType: 'Google',
        displayName: 'Google',
        clientId: google.clientId,
        clientSecret: google.clientSecret,
      }),
    ]);
    for (const response of created) expect(response.statusCode, response.body).toBe(201);
  });
  afterAll(async () => {
    await env?.close();
    await partner?.stop();
    await google?.stop();
  });

  async function newPage(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await env.browser.newContext({ locale });
    return { context, page: await context.newPage() };
  }

  /** The IdP's own (oidc-provider development) pages: sign in as `login`, then allow. */
  async function signInAtIdp(page: Page, idp: TestIdp, login: string) {
    await page.waitForURL((url) => url.href.startsWith(idp.issuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  }

  async function redeemThrough(idp: TestIdp, login: string, email: string) {
    idp.people.set(login, { email, email_verified: true, name: `Guest ${login}` });
    const { link, guestId } = await inviteWithMail(env, email);
    const { context, page } = await newPage();
    await page.goto(link);
    const callback = page.waitForRequest((r) => r.url().startsWith(`${env.base}/federation/callback`));
    await page.getByRole('button', { name: 'Continue' }).click();
    await signInAtIdp(page, idp, login);
    await expect.poll(() => page.title()).toContain('Review permissions');
    await audit(env, page);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${env.base}/demo`);
    // The state is single use: the same callback again is refused.
    const replayed = await page.goto((await callback).url());
    expect(replayed?.status()).toBe(400);
    expect(await page.locator('main').textContent()).toContain('expired or was already used');
    await context.close();
    return guestId;
  }

  async function stateOf(guestId: string) {
    const response = await env.admin.get(`/v1.0/users/${guestId}?$select=externalUserState,identities`);
    return response.json() as { externalUserState: string; identities: Array<Record<string, string>> };
  }

  /** A sign-in to an app of the tenant, read by openid-client: authorize → email → the IdP → tokens. */
  async function signInToApp(email: string, idp: TestIdp, login: string) {
    const created = await env.admin.post('/v1.0/applications', {
      displayName: `RP ${login}`,
      web: { redirectUris: [`${env.base}/rp-callback`] },
    });
    const { id, appId } = created.json() as { id: string; appId: string };
    const secret = (await env.admin.post(`/v1.0/applications/${id}/addPassword`, {})).json()
      .secretText as string;
    const config = await client.discovery(
      new URL(`${env.base}/${env.t.tenant.tenantId}/v2.0`),
      appId,
      secret,
      undefined,
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${env.base}/rp-callback`,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const { context, page } = await newPage();
    await page.goto(url.href);
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Next' }).click();
    await signInAtIdp(page, idp, login);
    await page.waitForURL(/\/rp-callback\?/);
    const tokens = await client.authorizationCodeGrant(config, new URL(page.url()), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    await context.close();
    return tokens.claims()!;
  }

  it(
    'redeems through a generic OIDC provider the tenant federates the domain to, then signs in there again',
    async () => {
      const email = 'ada@partner-idp.example';
      const guestId = await redeemThrough(partner, 'ada', email);
      const guest = await stateOf(guestId);
      expect(guest.externalUserState).toBe('Accepted');
      expect(guest.identities).toContainEqual({
        signInType: 'federated',
        issuer: partner.issuer,
        issuerAssignedId: 'ada',
      });

      // Later sign-ins of that guest go to the same IdP (identifier-first), and the tokens say so.
      const claims = await signInToApp(email, partner, 'ada');
      expect(claims.idp).toBe(partner.issuer);
      expect(claims.amr).toContain('fed');
      expect(claims.oid).toBe(guestId);
      expect(claims.acct).toBe(1);

      const log = await env.admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq '${guestId}'`);
      const entries = log.json().value as Array<{ status: { errorCode: number } }>;
      expect(entries.length).toBeGreaterThanOrEqual(2);
      expect(entries.every((entry) => entry.status.errorCode === 0)).toBe(true);
      expect(JSON.stringify(entries)).toMatch(/federated/i);

      // The provider cannot be deleted while the guest signs in with it.
      const list = (await env.admin.get(PROVIDERS)).json().value as Array<{
        id: string;
        displayName: string;
      }>;
      const partnerId = list.find((p) => p.displayName === 'Partner Login')!.id;
      const refused = await env.admin.delete(`${PROVIDERS}/${partnerId}`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().error.code).toBe('Request_IdentityProviderInUse');
    },
    FLOW_TIMEOUT,
  );

  it(
    'redeems a Gmail address through the Google preset',
    async () => {
      const guestId = await redeemThrough(google, 'grace', 'Grace.Hopper@gmail.com');
      expect((await stateOf(guestId)).identities).toContainEqual({
        signInType: 'federated',
        issuer: google.issuer,
        issuerAssignedId: 'grace',
      });
      const claims = await signInToApp('grace.hopper@gmail.com', google, 'grace');
      expect(claims.idp).toBe(google.issuer);
      expect(claims.amr).toContain('fed');
    },
    FLOW_TIMEOUT,
  );

  it(
    'a pending guest signing in to an app through the IdP is redeemed just in time',
    async () => {
      const email = 'jit@partner-idp.example';
      partner.people.set('jit', { email, email_verified: true, name: 'Jit' });
      const invited = await env.admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: email,
        inviteRedirectUrl: `${env.base}/demo`,
        sendInvitationMessage: false,
      });
      const guestId = invited.json().invitedUser.id as string;
      const { context, page } = await newPage();
      await page.goto(`${env.base}/demo`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Next' }).click();
      await signInAtIdp(page, partner, 'jit');
      await expect.poll(() => page.title()).toContain('Review permissions');
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL(/\/demo\/callback/);
      expect(await page.locator('main').textContent()).toContain(`idp${partner.issuer}`);
      expect((await stateOf(guestId)).externalUserState).toBe('Accepted');
      await context.close();
    },
    FLOW_TIMEOUT,
  );

  it(
    'refuses an address the IdP did not verify, and another address, leaving the invitation pending',
    async () => {
      const email = 'unverified@partner-idp.example';
      partner.people.set('unverified', { email, email_verified: false, name: 'Unverified' });
      partner.people.set('other', {
        email: 'other@partner-idp.example',
        email_verified: true,
        name: 'Other',
      });
      const { link, guestId } = await inviteWithMail(env, email);

      const first = await newPage();
      await first.page.goto(link);
      await first.page.getByRole('button', { name: 'Continue' }).click();
      await signInAtIdp(first.page, partner, 'unverified');
      await expect
        .poll(() => first.page.locator('main').textContent())
        .toContain('Partner Login did not confirm that unverified@partner-idp.example is a verified address');
      await audit(env, first.page);
      await first.context.close();

      const second = await newPage('fr-FR');
      await second.page.goto(link);
      await second.page.getByRole('button', { name: 'Continuer' }).click();
      await signInAtIdp(second.page, partner, 'other');
      await expect
        .poll(() => second.page.locator('main').textContent())
        .toContain('mais l’invitation est pour unverified@partner-idp.example');
      expect(await second.page.locator('html').getAttribute('lang')).toBe('fr-FR');
      await second.context.close();

      const guest = await stateOf(guestId);
      expect(guest.externalUserState).toBe('PendingAcceptance');
      expect(guest.identities.filter((i) => i.issuer === partner.issuer)).toEqual([]);
    },
    FLOW_TIMEOUT,
  );

  it(
    'an IdP that refuses or is down is a clear page, never a 500',
    async () => {
      const email = 'cancel@partner-idp.example';
      partner.people.set('cancel', { email, email_verified: true, name: 'Cancel' });
      const { link, guestId } = await inviteWithMail(env, email);
      const { context, page } = await newPage();
      await page.goto(link);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL((url) => url.href.startsWith(partner.issuer));
      await page.getByRole('link', { name: '[ Cancel ]' }).click();
      await expect
        .poll(() => page.locator('main').textContent())
        .toContain('Partner Login could not complete');
      expect((await stateOf(guestId)).externalUserState).toBe('PendingAcceptance');

      const down = await startTestIdp({ redirectUri: `${env.base}/federation/callback` });
      const created = await env.admin.post(PROVIDERS, {
        '@odata.type': '#microsoft.graph.openIdConnectIdentityProvider',
        displayName: 'Flaky IdP',
        clientId: down.clientId,
        clientSecret: down.clientSecret,
        metadataUrl: down.metadataUrl,
        domains: ['flaky.example'],
      });
      expect(created.statusCode).toBe(201);
      await down.stop();

      const flaky = await inviteWithMail(env, 'someone@flaky.example');
      const response = await page.goto(flaky.link);
      expect(response?.status()).toBe(200);
      const answer = page.waitForResponse((r) => r.url().includes('/redeem/start'));
      await page.getByRole('button', { name: 'Continue' }).click();
      expect((await answer).status()).toBeLessThan(500);
      await expect.poll(() => page.locator('main').textContent()).toContain('Flaky IdP could not complete');
      await audit(env, page);
      await context.close();
    },
    FLOW_TIMEOUT,
  );

  it(
    'a Google preset whose client secret is wrong is a clear page, and the invitation stays pending',
    async () => {
      const list = (await env.admin.get(PROVIDERS)).json().value as Array<{
        id: string;
        displayName: string;
      }>;
      const googleId = list.find((p) => p.displayName === 'Google')!.id;
      expect((await env.admin.patch(`${PROVIDERS}/${googleId}`, { clientSecret: 'wrong' })).statusCode).toBe(
        204,
      );
      try {
        const email = 'wrong.secret@gmail.com';
        google.people.set('wrong', { email, email_verified: true, name: 'Wrong' });
        const { link, guestId } = await inviteWithMail(env, email);
        const { context, page } = await newPage();
        await page.goto(link);
        const answer = page.waitForResponse((r) => r.url().startsWith(`${env.base}/federation/callback`));
        await page.getByRole('button', { name: 'Continue' }).click();
        await signInAtIdp(page, google, 'wrong');
        expect((await answer).status()).toBe(400);
        await expect.poll(() => page.locator('main').textContent()).toContain('Google could not complete');
        expect((await stateOf(guestId)).externalUserState).toBe('PendingAcceptance');
        const log = await env.admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq '${guestId}'`);
        expect(log.json().value.map((e: { status: { errorCode: number } }) => e.status.errorCode)).toContain(
          9000003,
        );
        await context.close();
      } finally {
        await env.admin.patch(`${PROVIDERS}/${googleId}`, { clientSecret: google.clientSecret });
      }
    },
    FLOW_TIMEOUT,
  );

  it('no page met has a serious or critical accessibility violation', () => {
    expect(env.audited).toBeGreaterThan(3);
    expect(env.violations).toEqual([]);
  });
});
