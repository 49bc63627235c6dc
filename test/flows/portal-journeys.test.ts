import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvisionedTenant } from '../../src/tenants/provision.js';
import { memberWithRole, PASSWORD } from '../console/support.js';
import { browserAvailable } from '../helpers/browser.js';
import { provisionOtherTenant } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { callerFor, type GraphClient } from '../helpers/graph.js';
import { inviteGuest } from '../redemption/support.js';
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

const SHOTS = join(process.cwd(), 'artifacts', 'screenshots', 'console');

/**
 * The journeys of issue #10 in real Chromium: the user page's actions (search, resend, reset redemption, add to
 * a group, revoke, delete), the 403 page of a member without a role, inviting from My Apps as the policy allows,
 * a guest of two organisations switching and leaving, and two administrators saving the same settings. axe-core
 * on every page, no Content-Security-Policy violation, screenshots as artefacts.
 */
describe.runIf(browserAvailable()).each(testDialects())('portal journeys in Chromium (%s)', (dialect) => {
  let env: FlowEnv;
  let fabrikam: ProvisionedTenant;
  let fabrikamAdmin: GraphClient;
  let consoleUrl: string;
  let adminPage: Page;
  const cspViolations: string[] = [];

  /** A fresh browser profile (its own cookies), its console watched for CSP reports. */
  const newPage = async (locale = 'en-US') => {
    const context = await env.browser.newContext({ locale });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content[- ]Security[- ]Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  };
  const shot = async (page: Page, name: string) => {
    await audit(env, page);
    await page.screenshot({ path: join(SHOTS, `${dialect}-${name}.png`), fullPage: true });
  };
  const main = (page: Page) => page.locator('main').textContent();
  const signIn = async (page: Page, email: string, password: string) => {
    await page.getByLabel('Email address').fill(email);
    await page.keyboard.press('Enter');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.keyboard.press('Enter');
  };
  /** A guest signs in by emailed passcode, and reviews the permissions when asked (the first time). */
  const guestSignIn = async (page: Page, email: string) => {
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForSelector('input[type="password"]');
    await audit(env, page);
    const code = await codeMailedBy(env, email, () =>
      page.getByRole('button', { name: 'Email me a one-time code instead' }).click(),
    );
    await page.getByLabel('Code').fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForLoadState('load');
    if ((await page.title()).includes('Review permissions')) {
      await audit(env, page);
      await page.getByRole('button', { name: 'Accept' }).click();
    }
  };
  /** Focus moves by Tab alone until the element with this accessible name has it. */
  const tabTo = async (page: Page, name: string) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(
        `(() => { const e = document.activeElement; if (!e) return ''; const l = e.labels && e.labels[0]; return (l ? l.textContent : e.textContent || '').trim(); })()`,
      );
      if (String(focused) === name) return;
    }
    throw new Error(`Tab never reached ${name}`);
  };
  const invitationMailsTo = (address: string) =>
    env.catcher.messages.filter(
      (m) => !isCodeMail(m) && m.envelope.to.some((to) => to.toLowerCase() === address.toLowerCase()),
    ).length;
  const waitForMails = async (address: string, count: number) => {
    await expect.poll(() => invitationMailsTo(address), { timeout: 10_000 }).toBe(count);
  };
  const searchUsers = async (page: Page, text: string) => {
    await page.goto(`${consoleUrl}/users`);
    await page.getByLabel('Search by name or address').fill(text);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('load');
  };
  const audited = async (activity: string) =>
    (
      (
        await env.admin.get(`/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq '${activity}'`)
      ).json() as { value: unknown[] }
    ).value.length;

  beforeAll(async () => {
    env = await startFlowEnv(dialect);
    fabrikam = await provisionOtherTenant(env.t);
    fabrikamAdmin = await callerFor(env.t, fabrikam);
    mkdirSync(SHOTS, { recursive: true });
    consoleUrl = `${env.base}/${env.t.tenant.tenantId}/admin`;
    adminPage = await newPage();
    await adminPage.goto(consoleUrl);
    await signIn(adminPage, env.t.tenant.adminUserPrincipalName, env.t.tenant.adminPassword);
    await adminPage.waitForURL(/\/admin$/);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('finds a pending guest by name, resends, adds to a group with the keyboard, revokes and deletes', async () => {
    const page = adminPage;
    const email = 'journey.pending@partner.example';
    const { guestId } = await inviteWithMail(env, email, { invitedUserDisplayName: 'Journey Pending' });
    await waitForMails(email, 1);
    const group = await env.admin.post('/v1.0/groups', {
      displayName: 'Journey Partners',
      mailNickname: 'journeypartners',
      mailEnabled: false,
      securityEnabled: true,
    });
    expect(group.statusCode).toBe(201);

    await searchUsers(page, 'Journey');
    await shot(page, 'journeys-users-search');
    await page.getByRole('link', { name: 'Journey Pending' }).click();
    await page.waitForURL(new RegExp(`/users/${guestId}$`));
    await expect.poll(() => main(page)).toContain('PendingAcceptance');
    await expect.poll(() => page.getByRole('heading', { name: 'Recent sign-ins' }).isVisible()).toBe(true);
    await shot(page, 'journeys-user-pending');

    await page.getByRole('button', { name: 'Resend invitation' }).click();
    await expect.poll(() => main(page)).toContain('Done: Resend invitation.');
    await waitForMails(email, 2);

    // Keyboard only: Tab to the group list (one group offered, already chosen), Tab to its button, Enter.
    await tabTo(page, 'Group');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.textContent')).toBe('Add to group');
    await page.keyboard.press('Enter');
    await expect.poll(() => main(page)).toContain('Done: Add to group.');
    expect(await page.locator('main ul').getByRole('link', { name: 'Journey Partners' }).count()).toBe(1);
    const members = await env.admin.get(`/v1.0/groups/${(group.json() as { id: string }).id}/members`);
    expect((members.json() as { value: Array<{ id: string }> }).value.map((m) => m.id)).toEqual([guestId]);
    await shot(page, 'journeys-user-grouped');

    await page.getByRole('button', { name: 'Revoke sessions' }).click();
    await expect.poll(() => main(page)).toContain('Done: Revoke sessions.');
    const upn = (await page.locator('dt:text-is("User principal name") + dd').textContent()) ?? '';
    await page.getByLabel('Type the user principal name to confirm').fill('someone else');
    await page.getByRole('button', { name: 'Delete user' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('user principal name');
    await page.getByLabel('Type the user principal name to confirm').fill(upn);
    await page.getByRole('button', { name: 'Delete user' }).click();
    await page.waitForURL(/\/users\?deleted=1$/);
    await searchUsers(page, 'Journey');
    expect(await page.getByRole('link', { name: 'Journey Pending' }).count()).toBe(0);
    expect((await env.admin.get(`/v1.0/users/${guestId}`)).statusCode).toBe(404);
  });

  it('resets the redemption of a redeemed guest: same object id, a new invitation mail', async () => {
    const email = 'journey.redeemed@partner.example';
    const { link, guestId } = await inviteWithMail(env, email, {
      invitedUserDisplayName: 'Journey Redeemed',
    });
    const guest = await newPage();
    await guest.goto(link);
    await guest.getByRole('button', { name: 'Continue' }).click();
    await guest.getByLabel('Code').fill(codeOf(await mailTo(env, email, isCodeMail)));
    await guest.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => guest.title()).toContain('Review permissions');
    await guest.getByRole('button', { name: 'Accept' }).click();
    await guest.waitForURL(`${env.base}/demo`);
    await guest.context().close();

    const page = adminPage;
    await searchUsers(page, 'Journey Redeemed');
    await page.getByRole('link', { name: 'Journey Redeemed' }).click();
    await expect.poll(() => main(page)).toContain('Accepted');
    // The redemption signed the guest in: the history shows it.
    await expect.poll(() => page.locator('main table').last().textContent()).toContain(email.split('@')[0]);
    expect(await page.getByRole('button', { name: 'Resend invitation' }).count()).toBe(0);
    await shot(page, 'journeys-user-redeemed');
    const mailsBefore = invitationMailsTo(email);
    await page.getByRole('button', { name: 'Reset redemption' }).click();
    await expect.poll(() => main(page)).toContain('Done: Reset redemption.');
    expect(page.url()).toContain(`/users/${guestId}/reset`);
    expect(await main(page)).toContain('PendingAcceptance');
    await waitForMails(email, mailsBefore + 1);
    const after = (await env.admin.get(`/v1.0/users/${guestId}?$select=id,externalUserState`)).json() as {
      externalUserState: string;
    };
    expect(after.externalUserState).toBe('PendingAcceptance');
  });

  it('a member without a directory role gets the clear 403 page', async () => {
    const { upn } = await memberWithRole(env.t, env.admin, 'journey.norole');
    const page = await newPage();
    await page.goto(`${env.base}/${env.t.tenant.tenantSlug}/admin`);
    const responses: Response[] = [];
    page.on('response', (r) => {
      if (r.request().isNavigationRequest()) responses.push(r);
    });
    await signIn(page, upn, PASSWORD);
    await expect.poll(() => responses.at(-1)?.status()).toBe(403);
    expect(responses.at(-1)?.url()).toMatch(/\/admin$/);
    await expect.poll(() => main(page)).toContain('Your account has no administrator role in Contoso.');
    await page.getByRole('link', { name: 'My Apps' }).first().click();
    await page.waitForURL(/\/myapps$/);
    await shot(page, 'journeys-myapps-member');
    await page.goBack();
    await shot(page, 'journeys-403');
    await page.context().close();
  });

  it('a member invites a guest from My Apps when the policy allows it, and not when it forbids it', async () => {
    await env.admin.patch('/v1.0/policies/authorizationPolicy', { allowInvitesFrom: 'everyone' });
    const { upn } = await memberWithRole(env.t, env.admin, 'journey.member');
    const page = await newPage();
    const myApps = `${env.base}/${env.t.tenant.tenantId}/myapps`;
    await page.goto(myApps);
    await signIn(page, upn, PASSWORD);
    await page.waitForURL(/\/myapps$/);
    await page.getByRole('link', { name: 'Invite a guest' }).click();
    await shot(page, 'journeys-myapps-invite');
    await page.getByLabel('Email address', { exact: true }).fill('invited.by.member@supplier.example');
    await page.getByLabel('Redirect URL after acceptance').fill(`${env.base}/demo`);
    await page.getByRole('button', { name: 'Invite' }).click();
    await expect.poll(() => page.title()).toContain('Invitation created');
    expect(await page.getByRole('navigation', { name: 'Console sections' }).count()).toBe(0);
    await shot(page, 'journeys-myapps-invited');
    const invited = await env.admin.get(
      "/v1.0/users?$filter=mail eq 'invited.by.member@supplier.example'&$select=id,externalUserState",
    );
    expect((invited.json() as { value: unknown[] }).value).toHaveLength(1);

    await env.admin.patch('/v1.0/policies/authorizationPolicy', {
      allowInvitesFrom: 'adminsAndGuestInviters',
    });
    try {
      await page.goto(myApps);
      expect(await page.getByRole('link', { name: 'Invite a guest' }).count()).toBe(0);
      // The form's address typed by hand says at once why, by the same rule as the API (no form to fill in).
      const response = await page.goto(`${myApps}/invite`);
      expect(response?.status()).toBe(403);
      expect(await page.getByLabel('Email address', { exact: true }).count()).toBe(0);
      await expect
        .poll(() => page.getByRole('alert').textContent())
        .toContain('does not allow you to invite');
      await shot(page, 'journeys-myapps-invite-refused');
    } finally {
      await env.admin.patch('/v1.0/policies/authorizationPolicy', { allowInvitesFrom: 'everyone' });
    }
    await page.context().close();
  });

  it('a guest of two organisations switches between them in My Apps, then leaves one (audited)', async () => {
    const email = 'journey.traveller@partner.example';
    await inviteGuest(env.admin, email);
    await inviteGuest(fabrikamAdmin, email);
    const page = await newPage();
    await page.goto(`${env.base}/${env.t.tenant.tenantId}/myapps`);
    await guestSignIn(page, email);
    await page.waitForURL(new RegExp(`/${env.t.tenant.tenantId}/myapps$`));
    await expect.poll(() => main(page)).toContain('Contoso (current)');
    // Accepting at Fabrikam too (single sign-on: no second code), then the switcher offers both ways.
    await page.goto(`${env.base}/${fabrikam.tenantId}/myapps`);
    if ((await page.title()).includes('Review permissions')) {
      await page.getByRole('button', { name: 'Accept' }).click();
    }
    await page.waitForURL(new RegExp(`/${fabrikam.tenantId}/myapps$`));
    await expect.poll(() => main(page)).toContain('Fabrikam (current)');
    await shot(page, 'journeys-myapps-fabrikam');
    await page.getByRole('link', { name: 'Switch to Contoso' }).click();
    await page.waitForURL(new RegExp(`/${env.t.tenant.tenantId}/myapps$`));
    await expect.poll(() => main(page)).toContain('Contoso (current)');
    expect(await page.getByRole('link', { name: 'Switch to Fabrikam' }).count()).toBe(1);
    await shot(page, 'journeys-myapps-guest');

    const auditsBefore = await audited('Guest left organization');
    await page.getByLabel('Leave Contoso').check();
    await page.getByRole('button', { name: 'Leave the organization' }).click();
    await expect.poll(() => main(page)).toContain('You left the organization');
    await shot(page, 'journeys-myapps-left');
    expect(await audited('Guest left organization')).toBe(auditsBefore + 1);
    await page.goto(`${env.base}/${fabrikam.tenantId}/myapps`);
    await page.waitForURL(new RegExp(`/${fabrikam.tenantId}/myapps$`));
    await expect.poll(() => main(page)).toContain('Fabrikam (current)');
    expect(await page.getByRole('link', { name: 'Switch to Contoso' }).count()).toBe(0);
    expect(await main(page)).not.toContain('Contoso');

    // Fabrikam does not let guests leave: no form for it.
    await fabrikamAdmin.patch('/v1.0/policies/b2bManagementPolicy', { guestsMayLeave: false });
    await page.reload();
    expect(await page.getByRole('button', { name: 'Leave the organization' }).count()).toBe(0);
    await page.context().close();
  });

  it('two administrators save the same settings: the second gets the clear message, nothing is lost', async () => {
    const first = adminPage;
    const second = await newPage();
    await second.goto(`${consoleUrl}/settings`);
    await signIn(second, env.t.tenant.adminUserPrincipalName, env.t.tenant.adminPassword);
    await second.waitForURL(/\/admin\/settings$/);
    await first.goto(`${consoleUrl}/settings`);

    await first.getByLabel('Who can invite guests').selectOption('adminsGuestInvitersAndAllMembers');
    await first.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => main(first)).toContain('Saved.');

    await second.getByLabel('Who can invite guests').selectOption('none');
    const [refused] = await Promise.all([
      second.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/admin/settings')),
      second.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(refused.status()).toBe(409);
    await expect
      .poll(() => second.getByRole('alert').textContent())
      .toContain('Another administrator changed these settings');
    // The first administrator's save stands, and the form now shows it (with the version it was read at).
    await shot(second, 'journeys-settings-conflict');
    expect(await second.getByLabel('Who can invite guests').inputValue()).toBe(
      'adminsGuestInvitersAndAllMembers',
    );
    const authz = (await env.admin.get('/v1.0/policies/authorizationPolicy')).json() as {
      allowInvitesFrom: string;
    };
    expect(authz.allowInvitesFrom).toBe('adminsGuestInvitersAndAllMembers');

    await second.getByLabel('Who can invite guests').selectOption('none');
    await second.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => main(second)).toContain('Saved.');
    const saved = (await env.admin.get('/v1.0/policies/authorizationPolicy')).json() as {
      allowInvitesFrom: string;
    };
    expect(saved.allowInvitesFrom).toBe('none');
    await second.context().close();
  });

  it('no page broke the Content-Security-Policy or had a serious accessibility violation', () => {
    expect(cspViolations).toEqual([]);
    expect(env.audited).toBeGreaterThan(12);
    expect(env.violations).toEqual([]);
  });
});
