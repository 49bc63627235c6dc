import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable } from '../helpers/browser.js';
import { testDialects } from '../helpers/database.js';
import { startTestIdp, type TestIdp } from '../helpers/test-idp.js';
import { audit, type FlowEnv, startFlowEnv } from './support.js';

const SHOTS = join(process.cwd(), 'artifacts', 'screenshots', 'console');
const PASSWORD = 'correct horse battery staple';
const SECRET = 'browser-typed-client-secret-0123456789';

/**
 * Identity providers, webhooks, the MFA reset and My Apps' MFA methods in real Chromium: forms filled and sent
 * with the keyboard, axe-core on every page, no Content-Security-Policy violation, screenshots as artefacts.
 */
describe.runIf(browserAvailable()).each(testDialects())(
  'console integrations in Chromium (%s)',
  (dialect) => {
    let env: FlowEnv;
    let idp: TestIdp;
    let context: BrowserContext;
    let page: Page;
    const cspViolations: string[] = [];
    let consoleUrl: string;
    let memberId: string;
    let memberUpn: string;

    beforeAll(async () => {
      let callback = '';
      idp = await startTestIdp({ redirectUri: () => callback });
      env = await startFlowEnv(dialect);
      callback = `${env.base}/federation/callback`;
      mkdirSync(SHOTS, { recursive: true });
      context = await env.browser.newContext();
      page = await context.newPage();
      page.on('console', (message) => {
        if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
      });
      consoleUrl = `${env.base}/${env.t.tenant.tenantId}/admin`;
      memberUpn = `mfa.member@${env.t.tenant.adminUserPrincipalName.split('@')[1]}`;
      const created = await env.admin.post('/v1.0/users', {
        accountEnabled: true,
        displayName: 'MFA Member',
        mailNickname: 'mfa.member',
        userPrincipalName: memberUpn,
        passwordProfile: { password: PASSWORD },
      });
      memberId = (created.json() as { id: string }).id;
    });
    afterAll(async () => {
      await env?.close();
      await idp?.stop();
    });

    const shot = async (name: string) => {
      await audit(env, page);
      await page.screenshot({ path: join(SHOTS, `${dialect}-${name}.png`), fullPage: true });
    };
    const main = () => page.locator('main').textContent();
    const signIn = async (target: Page, email: string, password: string) => {
      await target.getByLabel('Email address').fill(email);
      await target.keyboard.press('Enter');
      await target.getByLabel('Password', { exact: true }).fill(password);
      await target.keyboard.press('Enter');
    };
    /** Focus moves by Tab alone until the element with this accessible name has it. */
    const tabTo = async (name: string) => {
      for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate(
          `(() => { const e = document.activeElement; if (!e) return ''; const l = e.labels && e.labels[0]; return (l ? l.textContent : e.textContent || '').trim(); })()`,
        );
        if (String(focused).includes(name)) return;
      }
      throw new Error(`Tab never reached ${name}`);
    };

    it('adds an OpenID Connect provider with the keyboard, edits it, and deletes it', async () => {
      await page.goto(consoleUrl);
      await signIn(page, env.t.tenant.adminUserPrincipalName, env.t.tenant.adminPassword);
      await page.waitForURL(/\/admin$/);
      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Identity providers' })
        .click();
      await expect.poll(main).toContain(`${env.base}/federation/callback`);
      await shot('identity-providers');
      const form = page.locator('form[aria-labelledby="add-oidc"]');
      await form.getByLabel('Display name', { exact: true }).focus();
      await page.keyboard.type('Partner IdP');
      await page.keyboard.press('Tab');
      await page.keyboard.type(idp.clientId);
      await page.keyboard.press('Tab');
      await page.keyboard.type(SECRET);
      await page.keyboard.press('Tab');
      await page.keyboard.type(idp.metadataUrl);
      await form.getByLabel('Email domains it serves (one per line)').fill('partner.example');
      await form.getByLabel('Email domains it serves (one per line)').focus();
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/identity-providers\/[0-9a-f-]{36}$/);
      await expect.poll(() => page.title()).toContain('Partner IdP');
      expect(await page.content()).not.toContain(SECRET);
      expect(await page.locator('code.callback').textContent()).toBe(`${env.base}/federation/callback`);
      await shot('identity-provider');
      await page.getByLabel('Display name', { exact: true }).fill('Partner (renamed)');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(main).toContain('Saved.');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Partner (renamed)');
      await page.getByLabel('I understand guests can no longer sign in with it').check();
      await page.getByRole('button', { name: 'Delete provider' }).click();
      await expect.poll(main).toContain('The identity provider was deleted.');
    });

    it('registers a webhook (secret shown once), reads its delivery log, disables and deletes it', async () => {
      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Webhooks' })
        .click();
      await page.getByLabel('Endpoint URL (https)').fill('https://hooks.example/foyer');
      await tabTo('invitation.created');
      await page.keyboard.press('Space');
      await tabTo('guest.left');
      await page.keyboard.press('Space');
      await tabTo('Register endpoint');
      await page.keyboard.press('Enter');
      await expect.poll(main).toContain('Copy this signing secret now');
      const secret = await page.locator('.secret').textContent();
      expect(secret).toMatch(/^whsec_/);
      await shot('webhook-registered');
      await page.getByRole('link', { name: 'https://hooks.example/foyer' }).first().click();
      expect(await page.content()).not.toContain(secret!);
      const invited = await env.admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: 'hooked@partner.example',
        inviteRedirectUrl: `${env.base}/demo`,
      });
      expect(invited.statusCode).toBe(201);
      await page.reload();
      const log = page.getByRole('table', { name: 'Delivery log' });
      await expect.poll(() => log.textContent()).toContain('invitation.created');
      for (const column of ['Event', 'Event id', 'Status', 'Attempts', 'Last response code', 'Next retry'])
        expect(await log.getByRole('columnheader', { name: column, exact: true }).count()).toBe(1);
      await shot('webhook-deliveries');
      await page.getByLabel('Enabled (receives new events)').uncheck();
      await page.getByRole('button', { name: 'Save' }).click();
      await expect.poll(main).toContain('Saved.');
      expect(await page.getByLabel('Enabled (receives new events)').isChecked()).toBe(false);
      await page.getByLabel('I understand its delivery log is deleted too').check();
      await page.getByRole('button', { name: 'Delete endpoint' }).click();
      await expect.poll(main).toContain('The endpoint was deleted.');
    });

    it('a member sets up an authenticator app in My Apps from the QR page’s key, then an administrator resets it', async () => {
      const member = await context.browser()!.newContext();
      const mine = await member.newPage();
      await mine.goto(`${env.base}/${env.t.tenant.tenantId}/myapps`);
      await signIn(mine, memberUpn, PASSWORD);
      await mine.waitForURL(/\/myapps$/);
      await mine.getByRole('button', { name: 'Set up an authenticator app' }).click();
      expect(await mine.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
      const key = (await mine.locator('#mfa-secret').textContent())!.replace(/\s/g, '');
      await audit(env, mine);
      await mine.screenshot({ path: join(SHOTS, `${dialect}-myapps-mfa-enrol.png`), fullPage: true });
      await mine.getByLabel('Authenticator code').fill(TOTP.generate({ secret: Secret.fromBase32(key) }));
      await mine.keyboard.press('Enter');
      await expect.poll(() => mine.locator('.recovery-codes li').count()).toBe(10);
      await mine.getByRole('link', { name: 'Continue' }).click();
      await expect.poll(() => mine.locator('main').textContent()).toContain('Authenticator app (set up');
      await audit(env, mine);
      await mine.screenshot({ path: join(SHOTS, `${dialect}-myapps-mfa.png`), fullPage: true });
      // Changing an active method asks for a current code; the enrolment's own code was used, so the next step's.
      const next = TOTP.generate({ secret: Secret.fromBase32(key), timestamp: Date.now() + 30_000 });
      await mine.locator('#recovery-code-check').fill(next);
      await mine.getByRole('button', { name: 'New recovery codes' }).click();
      await expect.poll(() => mine.locator('.recovery-codes li').count()).toBe(10);
      await member.close();

      await page.goto(`${consoleUrl}/users/${memberId}`);
      await expect.poll(main).toContain('1 authenticator app method(s)');
      await page.getByRole('button', { name: 'Reset MFA' }).click();
      // The confirmation is required: the browser does not send the form without it.
      expect(page.url()).toMatch(new RegExp(`/users/${memberId}$`));
      await page.getByLabel('I confirm the MFA reset of this user').check();
      await shot('user-mfa-reset');
      await page.getByRole('button', { name: 'Reset MFA' }).click();
      await expect.poll(main).toContain('Done: Reset MFA.');
      expect(await page.getByRole('button', { name: 'Reset MFA' }).count()).toBe(0);
      const methods = await env.admin.get(`/v1.0/users/${memberId}/authentication/softwareOathMethods`);
      expect(methods.json().value).toEqual([]);
    });

    it('the new email of a redemption reset is back in the form after the session expired mid-form', async () => {
      const invited = await env.admin.post('/v1.0/invitations', {
        invitedUserEmailAddress: 'typo@partner.example',
        inviteRedirectUrl: `${env.base}/demo`,
      });
      const guestId = (invited.json() as { invitedUser: { id: string } }).invitedUser.id;
      await page.goto(`${consoleUrl}/users/${guestId}`);
      await page.getByLabel('New email address (optional)').fill('right@partner.example');
      await env.t.app.services.db.deleteFrom('portal_sessions').execute();
      await page.getByRole('button', { name: 'Reset redemption' }).click();
      // Sent to sign in again (single sign-on may bring the browser straight back).
      const restoredUrl = new RegExp(`/users/${guestId}\\?restore=`);
      const landed = await Promise.race([
        page.waitForURL(restoredUrl).then(() => 'restored'),
        page
          .getByLabel('Email address')
          .waitFor()
          .then(() => 'sign-in'),
      ]);
      if (landed === 'sign-in') {
        await shot('session-expired-sign-in');
        await signIn(page, env.t.tenant.adminUserPrincipalName, env.t.tenant.adminPassword);
      }
      await page.waitForURL(restoredUrl);
      await expect.poll(main).toContain('Your session had expired');
      expect(await page.getByLabel('New email address (optional)').inputValue()).toBe(
        'right@partner.example',
      );
      await shot('user-restored');
    });

    it('no page broke the Content-Security-Policy or had a serious accessibility violation', () => {
      expect(cspViolations).toEqual([]);
      expect(env.audited).toBeGreaterThanOrEqual(8);
      expect(env.violations).toEqual([]);
    });
  },
);
