import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { formsOf, type PageClient } from '../helpers/page-client.js';
import { consoleAs } from './support.js';

// The smallest PNG: the signature and one 1×1 image.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function multipart(
  fields: Record<string, string>,
  file: { name: string; filename: string; type: string; data: Buffer },
) {
  const boundary = '----foyer-test-boundary';
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${file.name}"; filename="${file.filename}"\r\nContent-Type: ${file.type}\r\n\r\n`,
    ),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

describe.each(testDialects())('console settings, branding and applications (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let browser: PageClient;
  let base: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    base = `/${t.tenant.tenantId}/admin`;
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });
  afterAll(() => t.close());

  it('saves collaboration settings that the API then reports', async () => {
    const form = await browser.get(`${base}/settings`);
    const saved = await browser.submit(form, '/admin/settings', {
      allowInvitesFrom: 'adminsAndGuestInviters',
      guestUserRoleId: '2af84b1e-32c8-42b7-82bc-daa82404023b',
      domainMode: 'allow',
      domains: 'partner.example\n*.fabrikam.example',
      otp: 'on',
      expiryDays: '30',
      reminderDays: '3, 10',
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain('Saved.');
    const authz = (await admin.get('/v1.0/policies/authorizationPolicy')).json() as Record<string, unknown>;
    expect(authz.allowInvitesFrom).toBe('adminsAndGuestInviters');
    const b2b = (await admin.get('/v1.0/policies/b2bManagementPolicy')).json() as Record<string, unknown>;
    expect(b2b.invitationsAllowedAndBlockedDomainsPolicy).toEqual({
      allowedDomains: ['partner.example', '*.fabrikam.example'],
    });
    expect(b2b.invitationExpiryDays).toBe(30);
    expect(b2b.invitationReminderDays).toEqual([3, 10]);
    expect(b2b.guestsMayLeave).toBe(false);
  });

  it('refuses invalid values with the schema’s message', async () => {
    const form = await browser.get(`${base}/settings`);
    const refused = await browser.submit(form, '/admin/settings', {
      domainMode: 'deny',
      domains: 'not a domain',
      expiryDays: '900',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('role="alert"');
    expect(refused.body).toMatch(/domain such as contoso\.com|invitationExpiryDays/);
  });

  it('two administrators editing at once: the second save is refused with a clear message, nothing lost', async () => {
    const { browser: other } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const mine = await browser.get(`${base}/settings`);
    const theirs = await other.get(`${base}/settings`);
    const first = await other.submit(theirs, '/admin/settings', {
      allowInvitesFrom: 'everyone',
      domainMode: 'none',
    });
    expect(first.statusCode).toBe(200);
    const second = await browser.submit(mine, '/admin/settings', {
      allowInvitesFrom: 'none',
      domainMode: 'none',
    });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('Another administrator changed these settings');
    const authz = (await admin.get('/v1.0/policies/authorizationPolicy')).json() as Record<string, unknown>;
    expect(authz.allowInvitesFrom).toBe('everyone');
    // The page shown with the message holds the new version: saving from it works.
    const retried = await browser.submit(second, '/admin/settings', {
      allowInvitesFrom: 'none',
      domainMode: 'none',
    });
    expect(retried.statusCode).toBe(200);
  });

  it('uploads a logo that Foyer serves and every page shows; sets the privacy statement URL', async () => {
    const page = await browser.get(`${base}/branding`);
    const form = formsOf(page.body).find((f) => f.action.endsWith('/branding/logo'))!;
    const body = multipart(form.fields, { name: 'logo', filename: 'logo.png', type: 'image/png', data: PNG });
    const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const uploaded = await t.app.inject({
      method: 'POST',
      url: form.action,
      headers: { cookie, 'content-type': body.contentType },
      payload: body.payload,
    });
    expect(uploaded.statusCode).toBe(200);
    expect(uploaded.body).toContain('Saved.');
    const logo = await t.app.inject({ method: 'GET', url: `/${t.tenant.tenantSlug}/branding/logo` });
    expect(logo.headers['content-type']).toBe('image/png');
    expect(logo.rawPayload.equals(PNG)).toBe(true);
    // The layout shows it from this origin on every page, sign-in pages included.
    const home = await browser.get(base);
    expect(home.body).toMatch(
      new RegExp(`<img src="/${t.tenant.tenantId}/branding/logo\\?v=[\\w-]+" alt="">`),
    );

    const fake = multipart(form.fields, {
      name: 'logo',
      filename: 'x.png',
      type: 'image/png',
      data: Buffer.from('<svg/>'),
    });
    const refused = await t.app.inject({
      method: 'POST',
      url: form.action,
      headers: { cookie, 'content-type': fake.contentType },
      payload: fake.payload,
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('PNG, JPEG or WebP');

    const privacy = await browser.submit(page, '/branding/privacy', {
      privacy: 'https://contoso.example/privacy',
    });
    expect(privacy.body).toContain('value="https://contoso.example/privacy"');
    const bad = await browser.submit(page, '/branding/privacy', { privacy: 'javascript:alert(1)' });
    expect(bad.statusCode).toBe(400);
  });

  it('registers an application, shows a new secret once, grants permissions', async () => {
    const list = await browser.get(`${base}/apps`);
    const created = await browser.submit(list, '/admin/apps', {
      displayName: 'Expenses',
      redirectUris: 'https://expenses.example/callback',
      homePageUrl: 'https://expenses.example/',
    });
    expect(created.statusCode).toBe(303);
    const appPath = String(created.headers.location);
    const page = await browser.get(appPath);
    expect(page.body).toContain('https://expenses.example/callback');
    const withSecret = await browser.submit(page, `${appPath}/secret`);
    const secret = /<p class="secret">([^<]+)<\/p>/.exec(withSecret.body)?.[1];
    expect(secret).toBeTruthy();
    expect((await browser.get(appPath)).body).not.toContain(secret!);
    const granted = await browser.submit(page, `${appPath}/permissions`, { permissions: 'User.Read.All' });
    expect(granted.body).toMatch(/value="User.Read.All" checked disabled/);
    const bad = await browser.submit(list, '/admin/apps', {
      displayName: 'Bad',
      redirectUris: 'http://evil.example/cb',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('must use https');
  });

  it('an application registration posted after the session expired comes back filled', async () => {
    const { browser: other } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const list = await other.get(`${base}/apps`);
    await t.app.services.db.deleteFrom('portal_sessions').execute();
    const posted = await other.submit(list, '/admin/apps', {
      displayName: 'Typed before the timeout',
      redirectUris: 'https://typed.example/cb',
    });
    expect(posted.statusCode).toBe(303);
    const { signInFrom } = await import('./support.js');
    const restored = await signInFrom(other, posted, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(restored.body).toContain('Your session had expired');
    expect(restored.body).toContain('value="Typed before the timeout"');
    expect(restored.body).toContain('https://typed.example/cb</textarea>');
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });

  it('settings posted after the session expired come back as typed, still checked against their version', async () => {
    const { browser: other } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    const form = await other.get(`${base}/settings`);
    await t.app.services.db.deleteFrom('portal_sessions').execute();
    const posted = await other.submit(form, '/admin/settings', {
      allowInvitesFrom: 'none',
      domainMode: 'deny',
      domains: 'typed.example',
    });
    expect(posted.statusCode).toBe(303);
    const { signInFrom } = await import('./support.js');
    const restored = await signInFrom(other, posted, t.tenant.adminUserPrincipalName, t.tenant.adminPassword);
    expect(restored.body).toContain('Your session had expired');
    expect(restored.body).toContain('<option value="none" selected>');
    expect(restored.body).toContain('typed.example</textarea>');
    // The page client sends hidden fields only (the version among them); a browser sends what is on screen.
    const saved = await other.submit(restored, '/admin/settings', {
      allowInvitesFrom: 'none',
      domainMode: 'deny',
      domains: 'typed.example',
    });
    expect(saved.statusCode).toBe(200);
    const b2b = (await admin.get('/v1.0/policies/b2bManagementPolicy')).json() as Record<string, unknown>;
    expect(b2b.invitationsAllowedAndBlockedDomainsPolicy).toEqual({ blockedDomains: ['typed.example'] });
    ({ browser } = await consoleAs(t, t.tenant.adminUserPrincipalName, t.tenant.adminPassword));
  });
});
