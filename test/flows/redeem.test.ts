import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { browserAvailable } from '../helpers/browser.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import {
  audit,
  codeMailedBy,
  codeOf,
  type FlowEnv,
  inviteWithMail,
  isCodeMail,
  mailTo,
  startFlowEnv,
} from './support.js';

/**
 * Redemption in real headless Chromium: invite over the API, read the mail from the SMTP catcher, follow its link,
 * sign in by each path of PRODUCT §4.3, review permissions, land on the redirect URL (the demo app), sign in to it
 * and read the claims. axe-core checks every page on the way.
 */
describe.runIf(browserAvailable()).each(testDialects())('redemption in Chromium (%s)', (dialect) => {
  let env: FlowEnv;
  let fabrikam: ProvisionedTenant;

  beforeAll(async () => {
    env = await startFlowEnv(dialect);
    fabrikam = await provisionOtherTenant(env.t);
  });
  afterAll(async () => {
    await env?.close();
  });

  async function newPage(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await env.browser.newContext({ locale });
    return { context, page: await context.newPage() };
  }

  /** Review permissions → accept → the demo app → sign in there (SSO) → its claims page. */
  async function acceptAndReadClaims(page: Page): Promise<string> {
    await expect.poll(() => page.title()).toContain('Review permissions');
    await audit(env, page);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${env.base}/demo`);
    await audit(env, page);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(/\/demo\/callback/);
    await audit(env, page);
    return (await page.locator('main').textContent()) ?? '';
  }

  it('by email one-time passcode', async () => {
    const email = 'otp.flow@partner.example';
    const { link } = await inviteWithMail(env, email);
    const { context, page } = await newPage();
    await page.goto(link);
    await audit(env, page);
    await expect.poll(() => page.locator('h1').textContent()).toBe('You have been invited');
    await page.getByRole('button', { name: 'Continue' }).click();
    await audit(env, page);
    await page.getByLabel('Code').fill(codeOf(await mailTo(env, email, isCodeMail)));
    await page.getByRole('button', { name: 'Verify' }).click();
    const claims = await acceptAndReadClaims(page);
    expect(claims).toContain('acct1');
    expect(claims).toContain('idpmail');
    await context.close();
  });

  it('by a member account of another tenant on this instance', async () => {
    const { link } = await inviteWithMail(env, fabrikam.adminUserPrincipalName);
    const { context, page } = await newPage();
    await page.goto(link);
    await page.getByRole('button', { name: 'Continue' }).click();
    await audit(env, page);
    await page.getByLabel('Password').fill(fabrikam.adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const claims = await acceptAndReadClaims(page);
    expect(claims).toContain(`idp${env.base}/${fabrikam.tenantId}/v2.0`);
    await context.close();
  });

  it('by creating a personal account, then by that personal account elsewhere', async () => {
    await env.admin.patch('/v1.0/policies/b2bManagementPolicy', { emailOneTimePasscodeEnabled: false });
    try {
      const email = 'personal.flow@elsewhere.example';
      const { link } = await inviteWithMail(env, email);
      const { context, page } = await newPage();
      await page.goto(link);
      await page.getByRole('button', { name: 'Continue' }).click();
      await audit(env, page);
      await page.getByLabel('Code').fill(codeOf(await mailTo(env, email, isCodeMail)));
      await page.getByLabel('Your name').fill('Personal Flow');
      await page.getByLabel('New password').fill('personal flow passphrase');
      await page.getByRole('button', { name: 'Create account' }).click();
      expect(await acceptAndReadClaims(page)).toContain('idppersonal');
      await context.close();

      // Fabrikam invites the same address: the personal account now exists, so a password is asked.
      const fabrikamAdmin = await (await import('../helpers/graph.js')).callerFor(env.t, fabrikam);
      const response = await fabrikamAdmin.post('/v1.0/invitations', {
        invitedUserEmailAddress: email,
        inviteRedirectUrl: `${env.base}/demo`,
        sendInvitationMessage: true,
      });
      expect(response.statusCode).toBe(201);
      const second = await newPage();
      await second.page.goto((response.json() as { inviteRedeemUrl: string }).inviteRedeemUrl);
      await second.page.getByRole('button', { name: 'Continue' }).click();
      await second.page.getByLabel('Password').fill('personal flow passphrase');
      await second.page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => second.page.title()).toContain('Review permissions');
      await second.page.getByRole('button', { name: 'Accept' }).click();
      await second.page.waitForURL(`${env.base}/demo`);
      await second.context.close();
    } finally {
      await env.admin.patch('/v1.0/policies/b2bManagementPolicy', { emailOneTimePasscodeEnabled: true });
    }
  });

  it('with the keyboard only', async () => {
    const email = 'keyboard@partner.example';
    const { link } = await inviteWithMail(env, email);
    const { context, page } = await newPage();
    await page.goto(link);
    // Skip link first, then the page's one action.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    let guard = 0;
    while ((await page.evaluate('document.activeElement?.textContent')) !== 'Continue' && guard++ < 10) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.waitForSelector('input[name="code"]');
    // The code field has the focus on arrival.
    await page.keyboard.type(codeOf(await mailTo(env, email, isCodeMail)));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.title()).toContain('Review permissions');
    guard = 0;
    while ((await page.evaluate('document.activeElement?.textContent')) !== 'Accept' && guard++ < 15) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    await page.waitForURL(`${env.base}/demo`);
    await context.close();
  });

  it('two browsers racing one ticket: exactly one binds, the other reads a clear page', async () => {
    const email = 'race.flow@partner.example';
    const { link, guestId } = await inviteWithMail(env, email);
    const a = await newPage();
    const b = await newPage();
    for (const { page } of [a, b]) {
      await page.goto(link);
      const code = await codeMailedBy(env, email, () =>
        page.getByRole('button', { name: 'Continue' }).click(),
      );
      await page.getByLabel('Code').fill(code);
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect.poll(() => page.title()).toContain('Review permissions');
    }
    await Promise.all([a, b].map(({ page }) => page.getByRole('button', { name: 'Accept' }).click()));
    // Each lands somewhere new: the demo app (the winner) or the answer to its POST (the loser).
    await Promise.all(
      [a, b].map(({ page }) => page.waitForURL((url) => !url.pathname.endsWith('/redeem/passcode'))),
    );
    await Promise.all([a, b].map(({ page }) => page.waitForLoadState()));
    const urls = [a.page.url(), b.page.url()];
    expect(urls.filter((url) => url === `${env.base}/demo`)).toHaveLength(1);
    const loser = urls[0] === `${env.base}/demo` ? b.page : a.page;
    expect(await loser.locator('main').textContent()).toMatch(/already been accepted/);
    const identities = await env.t.app.services.db
      .selectFrom('user_identities')
      .selectAll()
      .where('user_id', '=', guestId)
      .execute();
    expect(identities).toHaveLength(1);
    await a.context.close();
    await b.context.close();
  });

  it('speaks French to a French browser, every key translated', async () => {
    const { link } = await inviteWithMail(env, 'francais.flow@partner.example');
    const { context, page } = await newPage('fr-FR');
    await page.goto(link);
    expect(await page.locator('html').getAttribute('lang')).toBe('fr-FR');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Vous êtes invité(e)');
    await page.getByRole('button', { name: 'Continuer' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Saisissez le code reçu par e-mail');
    await audit(env, page);
    await context.close();
  });

  it('no page met has a serious or critical accessibility violation', () => {
    expect(env.audited).toBeGreaterThan(10);
    expect(env.violations).toEqual([]);
  });
});
