import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDemoApp } from '../../src/demo/registration.js';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller } from '../helpers/graph.js';
import { follow } from '../helpers/oidc-app.js';
import { pageClient } from '../helpers/page-client.js';
import { inviteGuest, latestCode } from '../redemption/support.js';

describe.each(testDialects())('the demo app (%s)', (dialect) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    await registerDemoApp(t.app.services, t.tenant.tenantId);
  });
  afterAll(() => t.close());

  it('signs the admin in with code + PKCE and shows the verified claims', async () => {
    const browser = pageClient(t.app);
    const home = await browser.get('/demo');
    expect(home.body).toContain('href="/demo/login"');
    const emailPage = await follow(browser, await browser.get('/demo/login'), 'nowhere');
    expect(emailPage.body).toContain('Foyer demo app');
    const pw = await browser.submit(emailPage, '/identify', { email: t.tenant.adminUserPrincipalName });
    const claims = await follow(
      browser,
      await browser.submit(pw, '/password', { password: t.tenant.adminPassword }),
      'nowhere',
    );
    expect(claims.statusCode).toBe(200);
    expect(claims.body).toContain('ID token claims');
    expect(claims.body).toContain(t.tenant.tenantId);
    expect(claims.body).toMatch(/<th scope="row">acct<\/th><td>0<\/td>/);
    expect(claims.body).toMatch(
      /<th scope="row">scp<\/th><td>User.Read User.ReadBasic.All User.Invite.All<\/td>/,
    );
  });

  it('the README walk-through: invite yourself, redeem from the mail, land in the demo app as a guest', async () => {
    const admin = await adminCaller(t);
    const email = 'me@personal.example';
    const { path } = await inviteGuest(admin, email, { inviteRedirectUrl: 'https://foyer.test/demo' });
    const browser = pageClient(t.app);
    const code = await browser.submit(await browser.get(path), '/redeem/start');
    const consent = await browser.submit(code, '/redeem/passcode', { code: await latestCode(t, email) });
    const landed = await browser.submit(consent, '/redeem/consent', { decision: 'accept' });
    expect(landed.headers.location).toBe('https://foyer.test/demo');
    const claims = await follow(browser, await browser.get('/demo/login'), 'nowhere');
    expect(claims.body).toMatch(/<th scope="row">acct<\/th><td>1<\/td>/);
    expect(claims.body).toMatch(/<th scope="row">idp<\/th><td>mail<\/td>/);
  });

  it('a refused or broken callback is a page, never a 500', async () => {
    const browser = pageClient(t.app);
    await browser.get('/demo/login');
    const cancelled = await browser.get(
      '/demo/callback?error=access_denied&error_description=The+user+declined.',
    );
    expect(cancelled.statusCode).toBe(400);
    expect(cancelled.headers['content-type']).toContain('text/html');
    expect(cancelled.body).toContain('The user declined.');
    await browser.get('/demo/login');
    const bare = await browser.get('/demo/callback');
    expect(bare.statusCode).toBe(400);
  });
});
