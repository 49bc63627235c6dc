import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { testDialects } from '../helpers/database.js';
import { audit, codeMailedBy, type FlowEnv, startFlowEnv } from './support.js';

/**
 * Sign-in through an app in real Chromium: a pending guest redeemed just in time, and a guest added without any
 * invitation, both by passcode from the SMTP catcher, both reviewing permissions once.
 */
describe.runIf(browserAvailable()).each(testDialects())(
  'sign-in through an app in Chromium (%s)',
  (dialect) => {
    let env: FlowEnv;

    beforeAll(async () => {
      env = await startFlowEnv(dialect);
    });
    afterAll(async () => {
      await env?.close();
    });

    /** From the demo app's Sign in to its claims page, by passcode, reviewing permissions on the way. */
    async function signInByPasscode(page: Page, email: string): Promise<string> {
      await page.goto(`${env.base}/demo`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.getByLabel('Email address').fill(email);
      await audit(env, page);
      // The same page for every address; the passcode is asked for, and mailed because a guest may use it.
      await page.getByRole('button', { name: 'Next' }).click();
      await page.waitForSelector('input[type="password"]');
      await audit(env, page);
      const code = await codeMailedBy(env, email, () =>
        page.getByRole('button', { name: 'Email me a one-time code instead' }).click(),
      );
      await audit(env, page);
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.title()).toContain('Review permissions');
      await audit(env, page);
      await page.getByRole('button', { name: 'Accept' }).click();
      await page.waitForURL(/\/demo\/callback/);
      return (await page.locator('main').textContent()) ?? '';
    }

    it('a pending guest who signs in to an app is redeemed just in time, without the mail', async () => {
      const email = 'jit.browser@partner.example';
      const invited = await env.admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: email,
        inviteRedirectUrl: `${env.base}/demo`,
        sendInvitationMessage: false,
      });
      expect(invited.statusCode).toBe(201);
      const context = await env.browser.newContext();
      const claims = await signInByPasscode(await context.newPage(), email);
      expect(claims).toContain('acct1');
      const guest = await env.admin.get(
        `/v1.0/users/${(invited.json() as { invitedUser: { id: string } }).invitedUser.id}?$select=externalUserState`,
      );
      expect(guest.json()).toMatchObject({ externalUserState: 'Accepted' });
      await context.close();
    });

    it('a guest added without invitation signs in and reviews permissions at the first sign-in only', async () => {
      const email = 'added.browser@partner.example';
      const created = await env.admin.post('/v1.0/users', {
        accountEnabled: true,
        displayName: 'Added in a browser',
        mailNickname: 'addedbrowser',
        userType: 'Guest',
        userPrincipalName: `added.browser_partner.example#EXT#@${env.t.tenant.tenantSlug}.foyer.localhost`,
        mail: email,
        identities: [{ signInType: 'federated', issuer: 'mail', issuerAssignedId: email }],
      });
      expect(created.statusCode).toBe(201);
      const context = await env.browser.newContext();
      const page = await context.newPage();
      expect(await signInByPasscode(page, email)).toContain('idpmail');
      // Signed in already: the next sign-in goes straight back to the app.
      await page.goto(`${env.base}/demo`);
      await page.getByRole('link', { name: 'Sign in' }).click();
      await page.waitForURL(/\/demo\/callback/);
      await context.close();
    });

    it('no page met has a serious or critical accessibility violation', () => {
      expect(env.audited).toBeGreaterThan(4);
      expect(env.violations).toEqual([]);
    });
  },
);
