import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { testDialects } from '../helpers/database.js';
import { audit, type FlowEnv, startFlowEnv } from './support.js';

/** Screenshots of the main pages, kept as test artefacts (artifacts/ is not committed). */
const SHOTS = join(process.cwd(), 'artifacts', 'screenshots', 'console');

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

/**
 * The admin console and My Apps in real Chromium: signing in through the tenant's own provider, the main tasks
 * of each section, axe-core on every page, no Content-Security-Policy violation, a phone-sized viewport.
 */
describe.runIf(browserAvailable()).each(testDialects())('admin console in Chromium (%s)', (dialect) => {
  let env: FlowEnv;
  let page: Page;
  const cspViolations: string[] = [];
  let console: string;

  beforeAll(async () => {
    env = await startFlowEnv(dialect);
    mkdirSync(SHOTS, { recursive: true });
    const context = await env.browser.newContext();
    page = await context.newPage();
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    console = `${env.base}/${env.t.tenant.tenantSlug}/admin`;
  });
  afterAll(async () => {
    await env?.close();
  });

  const shot = async (name: string) => {
    await audit(env, page);
    await page.screenshot({ path: join(SHOTS, `${dialect}-${name}.png`), fullPage: true });
  };
  const open = async (name: string) => {
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name }).click();
    await page.waitForLoadState('load');
  };

  it('signs the Global Administrator in through the tenant’s own sign-in pages', async () => {
    await page.goto(console);
    await page.getByLabel('Email address').fill(env.t.tenant.adminUserPrincipalName);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Password', { exact: true }).fill(env.t.tenant.adminPassword);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin$/);
    await expect.poll(() => page.title()).toContain('Admin console');
    await shot('home');
  });

  it('invites a guest with the form and finds them under Pending acceptance', async () => {
    await open('Invite a guest');
    await page.getByLabel('Email address', { exact: true }).fill('browser.guest@partner.example');
    await page.getByLabel('Display name (optional)').fill('Browser Guest');
    await page.getByLabel('Redirect URL after acceptance').fill(`${env.base}/demo`);
    await page.getByLabel('Personal message (optional)').fill('Bienvenue');
    await shot('invite');
    await page.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => page.title()).toContain('Invitation created');
    await shot('invited');
    await open('Users');
    await page.getByLabel('Show').selectOption('pending');
    await page.getByLabel('Search by name or address').fill('browser');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Browser Guest' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('PendingAcceptance');
    await page.getByRole('button', { name: 'Resend invitation' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Done: Resend invitation.');
    await shot('user');
  });

  it('creates a group, reads the logs and the usage report', async () => {
    await open('Groups');
    await page.getByLabel('Name', { exact: true }).fill('Partners');
    await page.getByRole('button', { name: 'Create group' }).click();
    await expect.poll(() => page.title()).toContain('Partners');
    await shot('group');
    await open('Audit log');
    await expect.poll(() => page.locator('main').textContent()).toContain('Invite external user');
    await shot('audit');
    await open('Sign-in log');
    await shot('sign-ins');
    await open('Usage');
    expect(await page.locator('svg.chart rect.bar').count()).toBe(12);
    await shot('usage');
  });

  it('changes the collaboration settings, uploads a logo, registers an application', async () => {
    await open('Collaboration settings');
    await page.getByLabel('Who can invite guests').selectOption('adminsGuestInvitersAndAllMembers');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Saved.');
    await shot('settings');
    await open('Branding');
    await page.getByLabel('Logo (PNG, JPEG or WebP, at most 256 KB)').setInputFiles({
      name: 'logo.png',
      mimeType: 'image/png',
      buffer: PNG,
    });
    await page.getByRole('button', { name: 'Upload' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Saved.');
    expect(await page.locator('header img').count()).toBe(1);
    await shot('branding');
    await open('Applications');
    await page.getByLabel('Name', { exact: true }).fill('Expenses');
    await page.getByLabel('Redirect URIs (one per line)').fill('https://expenses.example/cb');
    await page.getByLabel('Home page URL (shown in My Apps)').fill('https://expenses.example/');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('button', { name: 'New client secret' }).click();
    expect(await page.locator('.secret').count()).toBe(1);
    await shot('application');
  });

  it('My Apps lists the application; the console is usable on a phone and in French', async () => {
    await page.goto(`${env.base}/${env.t.tenant.tenantId}/myapps`);
    expect(await page.getByRole('link', { name: 'Expenses' }).count()).toBe(1);
    await shot('myapps');
    await page.setViewportSize({ width: 375, height: 740 });
    await page.goto(`${console}/users`);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await shot('users-phone');
    const french = await env.browser.newContext({ locale: 'fr-FR' });
    const fr = await french.newPage();
    await fr.goto(console);
    await fr.getByLabel('Adresse e-mail').fill(env.t.tenant.adminUserPrincipalName);
    await fr.keyboard.press('Enter');
    await fr.getByLabel('Mot de passe', { exact: true }).fill(env.t.tenant.adminPassword);
    await fr.keyboard.press('Enter');
    await fr.waitForURL(/\/admin$/);
    expect(await fr.title()).toContain("Console d'administration");
    await fr.close();
  });

  it('works with the keyboard alone: skip link, then the sections by Tab', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(console);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate('document.activeElement?.textContent')) === 'Users';
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/admin\/users$/);
  });

  it('no page broke the Content-Security-Policy or had a serious accessibility violation', () => {
    expect(cspViolations).toEqual([]);
    expect(env.audited).toBeGreaterThan(10);
    expect(env.violations).toEqual([]);
  });
});
