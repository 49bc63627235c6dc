import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/build-test-app.js';
import { testDialects } from '../helpers/database.js';
import { adminCaller, type GraphClient } from '../helpers/graph.js';
import { finishAuthorization, follow, openAuthorization, submitPassword } from '../helpers/oidc-app.js';
import { type PageClient, pageClient } from '../helpers/page-client.js';
import { latestCode } from '../redemption/support.js';

const REDIRECT = 'https://app.contoso.example/callback';

describe.each(testDialects())('sessions, prompts, logout and revocation (%s)', (dialect) => {
  let t: TestApp;
  let admin: GraphClient;
  let appId: string;
  const memberEmail = 'grace@contoso.foyer.localhost';
  const memberPassword = 'grace hopper compiles';
  let memberId: string;

  beforeAll(async () => {
    t = await buildTestApp(dialect);
    admin = await adminCaller(t);
    const created = await admin.post('/v1.0/applications', {
      displayName: 'Contoso Portal',
      publicClient: { redirectUris: [REDIRECT] },
    });
    appId = (created.json() as { appId: string }).appId;
    const user = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Grace Hopper',
      mailNickname: 'grace',
      userPrincipalName: memberEmail,
      passwordProfile: { password: memberPassword },
    });
    memberId = (user.json() as { id: string }).id;
  });
  afterAll(() => t.close());

  const authorize = (browser: PageClient, extra: Record<string, string> = {}) =>
    openAuthorization(t.app, browser, {
      tenant: t.tenant.tenantId,
      clientId: appId,
      redirectUri: REDIRECT,
      scope: 'openid profile offline_access',
      extra,
    });

  async function signIn(browser: PageClient, extra: Record<string, string> = {}) {
    const { rp, started, page } = await authorize(browser, extra);
    const callback = await submitPassword(browser, page, {
      email: memberEmail,
      password: memberPassword,
      redirectUri: REDIRECT,
    });
    return { rp, tokens: await finishAuthorization(rp, String(callback.headers.location), started) };
  }

  it('a second app sign-in in the same browser reuses the session without a password', async () => {
    const browser = pageClient(t.app);
    await signIn(browser);
    const { rp, started, page } = await authorize(browser);
    expect(page.statusCode).toBe(303);
    expect(String(page.headers.location)).toContain(REDIRECT);
    const tokens = await finishAuthorization(rp, String(page.headers.location), started);
    expect(tokens.claims()?.oid).toBe(memberId);
    const log = await admin.get(`/v1.0/auditLogs/signIns?$filter=userId eq '${memberId}'`);
    const entries = (log.json() as { value: Array<Record<string, unknown>> }).value;
    expect(entries[0]).toMatchObject({ appId, status: { errorCode: 0 } });
  });

  it('prompt=login asks again; prompt=none without a session answers login_required', async () => {
    const browser = pageClient(t.app);
    await signIn(browser);
    const again = await authorize(browser, { prompt: 'login' });
    expect(again.page.statusCode).toBe(200);
    expect(again.page.body).toContain('type="email"');

    const fresh = pageClient(t.app);
    const none = await authorize(fresh, { prompt: 'none' });
    expect(none.page.statusCode).toBe(303);
    expect(String(none.page.headers.location)).toContain('error=login_required');
  });

  it('login_hint fills the address; max_age=0 asks for a fresh sign-in', async () => {
    const browser = pageClient(t.app);
    const hinted = await authorize(browser, { login_hint: memberEmail });
    expect(hinted.page.body).toContain(`value="${memberEmail}"`);
    await signIn(browser);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const aged = await authorize(browser, { max_age: '0' });
    expect(aged.page.statusCode).toBe(200);
    expect(aged.page.body).toContain('type="email"');
  });

  it('RP-initiated logout shows a Foyer page and ends the browser session', async () => {
    const browser = pageClient(t.app);
    const { tokens } = await signIn(browser);
    const logout = await browser.get(
      `/${t.tenant.tenantId}/oauth2/v2.0/logout?id_token_hint=${tokens.id_token}&post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`,
    );
    expect(logout.statusCode).toBe(200);
    expect(logout.body).toContain('Sign out of Contoso?');
    expect(logout.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const done = await browser.submit(logout, '/logout/confirm', { logout: 'yes' });
    expect(done.statusCode).toBe(303);
    expect(String(done.headers.location)).toContain(REDIRECT);
    const next = await authorize(browser);
    expect(next.page.statusCode).toBe(200);
    expect(next.page.body).toContain('type="email"');
  });

  it('a disabled account cannot refresh nor sign in', async () => {
    const email = 'temp@contoso.foyer.localhost';
    const created = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Temp',
      mailNickname: 'temp',
      userPrincipalName: email,
      passwordProfile: { password: 'temporary passphrase here' },
    });
    const id = (created.json() as { id: string }).id;
    const browser = pageClient(t.app);
    const { rp, started, page } = await authorize(browser);
    const pw = await browser.submit(page, '/identify', { email });
    const cb = await follow(
      browser,
      await browser.submit(pw, '/password', { password: 'temporary passphrase here' }),
      REDIRECT,
    );
    const tokens = await finishAuthorization(rp, String(cb.headers.location), started);
    expect((await admin.patch(`/v1.0/users/${id}`, { accountEnabled: false })).statusCode).toBe(204);
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const other = pageClient(t.app);
    const again = await authorize(other);
    const pw2 = await other.submit(again.page, '/identify', { email });
    const refused = await other.submit(pw2, '/password', { password: 'temporary passphrase here' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('disabled');
  });

  it('a forgotten password is reset by a mailed code, which ends earlier sessions and refresh tokens', async () => {
    const browser = pageClient(t.app);
    const { rp, tokens } = await signIn(browser);
    // Sign-in times have one-second precision; the revocation must fall in a later second than the sign-in.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const other = pageClient(t.app);
    const { page } = await authorize(other);
    const pw = await other.submit(page, '/identify', { email: memberEmail });
    const reset = await other.submit(pw, '/forgot');
    expect(reset.body).toContain('Reset your password');
    const done = await other.submit(reset, '/reset', {
      code: await latestCode(t, memberEmail),
      password: 'a brand new passphrase',
    });
    expect(done.body).toContain('password has been changed');
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const stale = await authorize(browser);
    expect(stale.page.statusCode).toBe(200);
    const signedIn = await other.submit(done, '/password', { password: 'a brand new passphrase' });
    expect(signedIn.statusCode).toBe(303);
    // Back to the old password for the other tests.
    await admin.patch(`/v1.0/users/${memberId}`, { passwordProfile: { password: memberPassword } });
  });

  /** A new browser on the member's password page, after `failures` wrong passwords there. */
  async function afterWrongPasswords(failures: number) {
    const browser = pageClient(t.app);
    const { page } = await authorize(browser);
    let form = await browser.submit(page, '/identify', { email: memberEmail });
    for (let i = 0; i < failures; i++)
      form = await browser.submit(form, '/password', { password: `wrong guess ${i}` });
    return { browser, form };
  }

  it('repeated failures slow down, then lock the account for this address with a clear message', async () => {
    const { browser, form } = await afterWrongPasswords(10);
    expect(form.statusCode).toBe(429);
    expect(form.body).toContain('Too many failed attempts');
    const correct = await browser.submit(form, '/password', { password: memberPassword });
    expect(correct.statusCode).toBe(429);
    const log = await admin.get(`/v1.0/auditLogs/signIns?$filter=status/errorCode eq 50053`);
    expect((log.json() as { value: unknown[] }).value.length).toBeGreaterThan(0);
    await t.app.services.db.deleteFrom('sign_in_failures').execute();
  }, 30_000);

  it('a correct password forgets the failures before it: the next mistake is the first again', async () => {
    const { browser, form } = await afterWrongPasswords(9);
    expect(form.statusCode).toBe(401);
    const correct = await browser.submit(form, '/password', { password: memberPassword });
    expect(correct.statusCode).toBe(303);

    // A tenth failure in a row would lock the account for this address; after the success it is only the first.
    // (A new browser, as the first is now signed in; the same client address.)
    const { form: wrong } = await afterWrongPasswords(1);
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('Too many failed attempts');
    await t.app.services.db.deleteFrom('sign_in_failures').execute();
  }, 30_000);

  it('a guest added without invitation signs in with a passcode and reviews permissions once', async () => {
    const email = 'added@partner.example';
    const created = await admin.post('/v1.0/users', {
      accountEnabled: true,
      displayName: 'Added Guest',
      mailNickname: 'added',
      userType: 'Guest',
      userPrincipalName: `added_partner.example#EXT#@${t.tenant.tenantSlug}.foyer.localhost`,
      mail: email,
      identities: [{ signInType: 'federated', issuer: 'mail', issuerAssignedId: email }],
    });
    expect(created.statusCode).toBe(201);
    const browser = pageClient(t.app);
    const { rp, started, page } = await authorize(browser);
    const passwordPage = await browser.submit(page, '/identify', { email });
    const codePage = await browser.submit(passwordPage, '/passcode-send');
    const review = await browser.submit(codePage, '/passcode', { code: await latestCode(t, email) });
    expect(review.body).toContain('Review permissions');
    const cb = await follow(
      browser,
      await browser.submit(review, '/review', { decision: 'accept' }),
      REDIRECT,
    );
    const claims = (await finishAuthorization(rp, String(cb.headers.location), started)).claims()!;
    expect(claims).toMatchObject({ acct: 1, idp: 'mail' });
    const second = await authorize(browser);
    expect(second.page.statusCode).toBe(303);
  });

  it('revokeSignInSessions ends refresh tokens and the browser session; an admin password change does too', async () => {
    const browser = pageClient(t.app);
    const { rp, tokens } = await signIn(browser);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const revoked = await admin.post(`/v1.0/users/${memberId}/revokeSignInSessions`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ value: true });
    await expect(client.refreshTokenGrant(rp, tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    const again = await authorize(browser);
    expect(again.page.statusCode).toBe(200);
    expect(again.page.body).toContain('type="email"');

    const second = await signIn(pageClient(t.app));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await admin.patch(`/v1.0/users/${memberId}`, { passwordProfile: { password: memberPassword } });
    await expect(client.refreshTokenGrant(second.rp, second.tokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });
});
